package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.testing.TestCerts;
import io.pollen.tls.TlsContexts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pollen's HttpClient over https against python3's http.server wrapped in ssl, with a CA made at
 * test time: success and keep-alive reuse, then each certificate failure with its message (wrong
 * host, unknown CA, expired), the insecure context accepting them, and a handshake timeout.
 */
@Timeout(120)
class HttpsClientTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static SSLContext trusting;

    @BeforeAll
    static void before() throws Exception {
        TestServers.warmUp();
        certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
        trusting = TlsContexts.client(certs.ca);
    }

    private static PythonServer python(TestCerts.Pair pair, String name) throws Exception {
        Path d = Files.createDirectories(dir.resolve("py-" + name + "-" + System.nanoTime()));
        return new PythonServer(d, "127.0.0.1", pair.cert(), pair.key());
    }

    private static HttpResponse get(Runtime rt, SSLContext ctx, String url) throws Throwable {
        try (HttpClient c = HttpClient.builder(rt).tls(ctx).build()) {
            return c.get(url).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void getsOverHttpsAndReusesTheConnection(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build();
             PythonServer py = python(certs.server, "ok");
             HttpClient client = HttpClient.builder(rt).tls(trusting).build()) {
            String url = "https://localhost:" + py.port;
            HttpResponse first = client.get(url + "/port").get(20, TimeUnit.SECONDS);
            HttpResponse second = client.get(url + "/port").get(20, TimeUnit.SECONDS);
            assertEquals(200, first.status());
            assertEquals(first.bodyString(), second.bodyString(), "the same client port: the TLS connection was reused");
            assertEquals("localhost:" + py.port, client.get(url + "/host").get(20, TimeUnit.SECONDS).bodyString());
            assertEquals("hello, chunked world", client.get(url + "/chunked").get(20, TimeUnit.SECONDS).bodyString());
            HttpResponse close = client.get(url + "/close").get(20, TimeUnit.SECONDS);
            assertEquals("until the end", close.bodyString()); // framed by the end of the connection
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void certificateFailuresNameTheirCause(Backend backend) throws Throwable {
        try (Runtime rt = Runtime.builder().backend(backend).build()) {
            expectFailure(rt, certs.wrongHost, "certificate for wrong.host does not match localhost");
            expectFailure(rt, certs.unknownCa, "unknown CA: the certificate of localhost is issued by CN=Untrusted Test CA");
            expectFailure(rt, certs.expired, "certificate expired: the certificate of localhost was valid until 2020-01-02");
        }
    }

    private static void expectFailure(Runtime rt, TestCerts.Pair pair, String message) throws Throwable {
        try (PythonServer py = python(pair, "bad")) {
            String url = "https://localhost:" + py.port + "/host";
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> get(rt, trusting, url));
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
            // curl -k: the same server is accepted when nothing is checked
            assertEquals("localhost:" + py.port, get(rt, TlsContexts.insecureClient(), url).bodyString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aServerThatNeverAnswersTheClientHelloTimesOut(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             HttpClient client = HttpClient.builder(rt).tls(trusting).handshakeTimeout(Duration.ofMillis(300)).build()) {
            var pending = client.get("https://127.0.0.1:" + silent.getLocalPort() + "/");
            try (Socket s = silent.accept()) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(20, TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("TLS handshake with 127.0.0.1:" + silent.getLocalPort() + " timed out"),
                        e.getCause().getMessage());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void httpsUrlsAreCheckedLikeHttpOnes(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build(); HttpClient client = HttpClient.create(rt)) {
            assertThrows(IllegalArgumentException.class, () -> client.get("ftp://localhost/"));
            assertThrows(IllegalArgumentException.class, () -> client.get(java.net.URI.create("https:/no-host")));
        }
    }
}
