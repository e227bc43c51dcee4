package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.testing.TestCerts;
import io.pollen.tls.ClientAuth;
import io.pollen.tls.TlsContexts;
import io.pollen.tls.TlsIdentity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Mutual TLS on every backend: a server that requires client certificates
 * ({@link HttpServer.Builder#tls(SSLContext, ClientAuth)} with a client CA) serves curl
 * ({@code --cert/--key}) and Pollen's client with a certificate of that CA, names the client to the
 * handler ({@link HttpRequest#clientCertificates()}), and refuses a client without a certificate,
 * one with a certificate of another CA and one with an expired certificate, each with a message
 * that says which (the alert reaches the client: the server's close lingers), leaving no
 * connection open; a server that only requests them serves clients without one too. The keys go
 * through every PEM format on the way: the server's is encrypted PKCS#8, the client's SEC1, the
 * requesting server's PKCS#1.
 */
@Timeout(120)
class HttpsMutualTlsTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static TestServers requiring;
    static TestServers requesting;
    static TlsIdentity client;
    static TlsIdentity untrustedClient;

    @BeforeAll
    static void before() throws Exception {
        TestServers.warmUp();
        certs = TestCerts.create(dir);
        certs.openssl("pkcs8", "-topk8", "-in", "server-ec.key", "-out", "server-ec.enc.key", "-passout", "pass:s3cret");
        certs.openssl("ec", "-in", "client.key", "-out", "client.sec1.key");
        certs.openssl("rsa", "-in", "server.key", "-traditional", "-out", "server.pkcs1.key");
        TlsIdentity server = TlsIdentity.load(certs.serverEc.cert(), dir.resolve("server-ec.enc.key"), "s3cret".toCharArray());
        SSLContext requireCtx = TlsContexts.server(server, certs.ca);
        requiring = new TestServers(1, b -> whoami(b.tls(requireCtx, ClientAuth.REQUIRE)));
        SSLContext requestCtx = TlsContexts.server(TlsIdentity.load(certs.server.cert(), dir.resolve("server.pkcs1.key"), null), certs.ca);
        requesting = new TestServers(1, b -> whoami(b.tls(requestCtx, ClientAuth.REQUEST)));
        client = TlsIdentity.load(certs.client.cert(), dir.resolve("client.sec1.key"), null);
        untrustedClient = TlsIdentity.load(certs.clientUnknownCa.cert(), certs.clientUnknownCa.key(), null);
    }

    /** GET /whoami answers the client certificate's subject, or "anonymous", and the TLS protocol. */
    private static HttpServer.Builder whoami(HttpServer.Builder b) {
        return b.route("GET", "/whoami", req -> Response.text(
                (req.clientCertificates().isEmpty() ? "anonymous" : req.clientCertificates().getFirst().getSubjectX500Principal().getName())
                        + " over " + req.tlsSession().getProtocol()));
    }

    @AfterAll
    static void after() {
        requiring.close();
        requesting.close();
    }

    private static String url(TestServers s, Backend backend) throws IOException {
        return "https://localhost:" + s.server(backend).port() + "/whoami";
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void curlWithItsCertificateIsServedAndNamed(Backend backend) throws Exception {
        HttpsServerTest.Result r = curl("--cert", certs.client.cert().toString(), "--key", certs.client.key().toString(), url(requiring, backend));
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().startsWith("CN=pollen-client over TLSv1."), r.stdout());
        HttpsServerTest.Result none = curl(url(requiring, backend));
        assertNotEquals(0, none.exit(), "curl without a certificate is refused: " + none.stdout());
        TestServers.awaitNoConnections(requiring.server(backend));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pollenClientWithItsCertificateIsServedOnAKeptAliveConnection(Backend backend) throws Exception {
        try (HttpClient c = HttpClient.builder(runtime(backend)).tls(TlsContexts.client(certs.ca, client)).build()) {
            for (int i = 0; i < 2; i++) {
                HttpResponse r = c.get(url(requiring, backend)).get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertTrue(r.bodyString().startsWith("CN=pollen-client over TLSv1.3"), r.bodyString());
            }
            assertEquals(1, c.idleConnections(), "one kept-alive connection served both");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aClientWithoutACertificateIsToldTheServerRequiresOne(Backend backend) throws Exception {
        try (HttpClient c = HttpClient.builder(runtime(backend)).tls(TlsContexts.client(certs.ca)).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.get(url(requiring, backend)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().startsWith("the server requires a client certificate (none was sent: "),
                    String.valueOf(e.getCause()));
        }
        try (SSLSocket s = (SSLSocket) TlsContexts.client(certs.ca).getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), requiring.server(backend).port())) {
            s.setEnabledProtocols(new String[]{"TLSv1.2"}); // TLS 1.2 refuses in the handshake itself
            assertThrows(SSLException.class, s::startHandshake);
        }
        TestServers.awaitNoConnections(requiring.server(backend));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aCertificateTheServerDoesNotTrustIsRefused(Backend backend) throws Exception {
        // The JDK's client sends a certificate only if the server names its issuer: none is sent here.
        try (HttpClient c = HttpClient.builder(runtime(backend)).tls(TlsContexts.client(certs.ca, untrustedClient)).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.get(url(requiring, backend)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().startsWith("the server requires a client certificate (none was sent: "),
                    String.valueOf(e.getCause()));
        }
        // An expired certificate of the trusted CA is sent, and refused.
        TlsIdentity expired = TlsIdentity.load(certs.clientExpired.cert(), certs.clientExpired.key(), null);
        try (HttpClient c = HttpClient.builder(runtime(backend)).tls(TlsContexts.client(certs.ca, expired)).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.get(url(requiring, backend)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().startsWith("client certificate not trusted by the server (alert: "),
                    String.valueOf(e.getCause()));
        }
        // curl sends the certificate of another CA anyway: refused.
        HttpsServerTest.Result r = curl("--cert", certs.clientUnknownCa.cert().toString(), "--key", certs.clientUnknownCa.key().toString(),
                url(requiring, backend));
        assertNotEquals(0, r.exit(), "curl with an untrusted certificate is refused: " + r.stdout());
        assertTrue(r.stderr().contains("alert"), r.stderr());
        TestServers.awaitNoConnections(requiring.server(backend));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aServerThatOnlyRequestsACertificateServesClientsWithoutOne(Backend backend) throws Exception {
        Runtime rt = runtimeOf(requesting, backend);
        try (HttpClient anonymous = HttpClient.builder(rt).tls(TlsContexts.client(certs.ca)).build();
             HttpClient named = HttpClient.builder(rt).tls(TlsContexts.client(certs.ca, client)).build()) {
            assertTrue(anonymous.get(url(requesting, backend)).get(10, TimeUnit.SECONDS).bodyString().startsWith("anonymous over "));
            assertTrue(named.get(url(requesting, backend)).get(10, TimeUnit.SECONDS).bodyString().startsWith("CN=pollen-client over "));
        }
    }

    @Test
    void aClientCertificateAndAContextOfOnesOwnDoNotGoTogether() throws Exception {
        Backend any = TestServers.backends().findFirst().orElseThrow();
        HttpClient.Builder b = HttpClient.builder(runtime(any)).tls(TlsContexts.client(certs.ca)).clientCertificate(client);
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage().contains("put the identity in the context"), e.getMessage());
        try (HttpClient c = HttpClient.builder(runtime(any)).clientCertificate(client).build()) {
            // the JDK's default CAs do not include the test CA: the server's certificate is refused first
            ExecutionException x = assertThrows(ExecutionException.class, () -> c.get(url(requiring, any)).get(10, TimeUnit.SECONDS));
            assertTrue(x.getCause().getMessage().startsWith("unknown CA: "), String.valueOf(x.getCause()));
        }
    }

    /** curl with the test CA trusted (skipped without curl). */
    private static HttpsServerTest.Result curl(String... args) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PythonServer.hasCommand("curl"), "curl not installed");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "--max-time", "20",
                "--cacert", certs.ca.toString()));
        cmd.addAll(java.util.List.of(args));
        Path err = java.nio.file.Files.createTempFile(dir, "curl", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl finished");
        return new HttpsServerTest.Result(p.exitValue(), out, java.nio.file.Files.readString(err));
    }

    private static Runtime runtime(Backend backend) throws IOException {
        return runtimeOf(requiring, backend);
    }

    private static Runtime runtimeOf(TestServers s, Backend backend) throws IOException {
        s.server(backend); // started on first use
        return s.runtime(backend);
    }
}
