package io.pollen.cli;

import io.pollen.poll.Backend;
import io.pollen.testing.TestCerts;
import io.pollen.tls.TlsContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CLI over TLS: {@code pollen get} and {@code pollen demo --url} against python3's http.server
 * in ssl (success with {@code --cacert}, wrong host, unknown CA, expired, {@code -k}),
 * {@code pollen serve --tls-cert/--tls-key/--tls-port} answering the JDK's HTTPS client, and mutual
 * TLS: {@code serve --tls-client-ca} with an encrypted key ({@code --key-pass file:...}) against
 * {@code get --cert/--key/--pass} (served; no certificate, an expired one, a wrong password refused
 * with what went wrong).
 */
@Timeout(120)
class HttpsCliTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static Python ok;
    static Python wrongHost;
    static Python unknownCa;
    static Python expired;

    /** python3's http.server serving {@code dir} over TLS with one certificate. */
    record Python(Process process, int port) implements AutoCloseable {
        static Python start(TestCerts.Pair pair) throws IOException {
            Process p = new ProcessBuilder("python3", dir.resolve("tls_server.py").toString(), pair.cert().toString(),
                    pair.key().toString()).directory(dir.toFile()).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("READY ")) {
                p.destroyForcibly();
                throw new IOException("python did not start: " + line);
            }
            Thread.ofPlatform().daemon().start(() -> { // failed handshakes print tracebacks: drain them
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // ended
                }
            });
            return new Python(p, Integer.parseInt(line.substring(6).trim()));
        }

        String url(String path) {
            return "https://localhost:" + port + path;
        }

        @Override
        public void close() throws InterruptedException, IOException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process.getInputStream().close();
            process.getOutputStream().close();
        }
    }

    @BeforeAll
    static void before() throws Exception {
        JdkWarmUp.nio();
        assumeTrue(GetCommandTest.hasPython(), "python3 is not installed");
        certs = TestCerts.create(Files.createDirectories(dir.resolve("certs")));
        Files.writeString(dir.resolve("hello.txt"), "hello over tls\n");
        Files.writeString(dir.resolve("tls_server.py"), """
                import ssl, sys
                from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler
                class Handler(SimpleHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def log_message(self, *args):
                        pass
                server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
                server.daemon_threads = True
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(sys.argv[1], sys.argv[2])
                server.socket = context.wrap_socket(server.socket, server_side=True)
                print("READY", server.server_address[1], flush=True)
                server.serve_forever()
                """);
        ok = Python.start(certs.server);
        wrongHost = Python.start(certs.wrongHost);
        unknownCa = Python.start(certs.unknownCa);
        expired = Python.start(certs.expired);
    }

    @AfterAll
    static void after() throws Exception {
        for (Python p : new Python[]{ok, wrongHost, unknownCa, expired}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void getWithCacertSucceedsAndEachCertificateProblemIsNamed(Backend backend) {
        String ca = certs.ca.toString();
        Cli good = Cli.run("get", "--backend", backend.id(), "--cacert", ca, ok.url("/hello.txt"));
        assertEquals(Pollen.OK, good.exitCode, good.toString());
        assertEquals("hello over tls", good.lines().getLast(), good.toString());

        assertFails(Cli.run("get", "--backend", backend.id(), "--cacert", ca, wrongHost.url("/hello.txt")),
                "certificate for wrong.host does not match localhost");
        assertFails(Cli.run("get", "--backend", backend.id(), "--cacert", ca, unknownCa.url("/hello.txt")),
                "unknown CA: the certificate of localhost is issued by CN=Untrusted Test CA");
        assertFails(Cli.run("get", "--backend", backend.id(), "--cacert", ca, expired.url("/hello.txt")),
                "certificate expired: the certificate of localhost was valid until 2020-01-02");
        // the JDK's own trust store knows nothing of the test CA
        assertFails(Cli.run("get", "--backend", backend.id(), ok.url("/hello.txt")), "unknown CA: ");

        for (String insecure : new String[]{"-k", "--insecure"}) {
            Cli k = Cli.run("get", "--backend", backend.id(), insecure, wrongHost.url("/hello.txt"));
            assertEquals(Pollen.OK, k.exitCode, k.toString());
            assertEquals("hello over tls", k.lines().getLast(), k.toString());
        }
    }

    private static void assertFails(Cli cli, String message) {
        assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
        assertTrue(cli.stderr().startsWith("get: " + message), cli.toString());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void demoFetchesAnHttpsUrlInBothModes(Backend backend) {
        String ca = certs.ca.toString();
        Cli trace = Cli.run("demo", "--backend", backend.id(), "--cacert", ca, "--url", ok.url("/hello.txt"));
        assertEquals(Pollen.OK, trace.exitCode, trace.toString());
        assertTrue(trace.stdout().contains("over TLS"), trace.toString());
        Cli many = Cli.run("demo", "--backend", backend.id(), "--cacert", ca, "--tasks", "5", "--progress", "off",
                "--url", ok.url("/hello.txt"));
        assertEquals(Pollen.OK, many.exitCode, many.toString());
        Cli refused = Cli.run("demo", "--backend", backend.id(), "--tasks", "2", "--progress", "off", "--cacert", ca,
                "--url", wrongHost.url("/hello.txt"));
        assertEquals(Pollen.FAILED, refused.exitCode, refused.toString());
        assertTrue(refused.stdout().contains("certificate for wrong.host does not match localhost"), refused.toString());
    }

    @Test
    void serveSpeaksHttpsBesidePlainHttp() throws Exception {
        Cli cli = new Cli();
        Thread serving = Thread.ofPlatform().name("pollen-serve-tls-test").start(() -> cli.runHere("serve", "--port", "0",
                "--tls-port", "0", "--tls-cert", certs.serverEc.cert().toString(), "--tls-key", certs.serverEc.key().toString()));
        String plain = ServeAndUsageTest.awaitLine(cli, "listening on (http://\\S+)");
        String secure = ServeAndUsageTest.awaitLine(cli, "and HTTPS on (https://\\S+)");
        try (HttpClient jdk = HttpClient.newBuilder().sslContext(TlsContexts.client(certs.ca)).build()) {
            for (String base : new String[]{plain, secure}) {
                HttpResponse<String> r = jdk.send(HttpRequest.newBuilder(URI.create(base + "/plaintext")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("Hello, World!", r.body(), base);
            }
        }
        Cli get = Cli.run("get", "--cacert", certs.ca.toString(), secure + "/echo", "-d", "pollen to pollen");
        assertEquals("pollen to pollen", get.lines().getLast(), get.toString());
        serving.interrupt();
        serving.join(10_000);
        assertFalse(serving.isAlive(), "serve did not stop when interrupted");
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void serveRequiresClientCertificatesAndGetPresentsOne(Backend backend) throws Exception {
        Path certsDir = certs.dir();
        certs.openssl("pkcs8", "-topk8", "-in", "server-ec.key", "-out", "serve-enc.key", "-passout", "pass:serve pass");
        certs.openssl("pkcs8", "-topk8", "-in", "client.key", "-out", "client-enc.key", "-passout", "pass:s3cret");
        Path passFile = Files.writeString(dir.resolve("serve.pass"), "serve pass\n");
        Cli cli = new Cli();
        Thread serving = Thread.ofPlatform().name("pollen-serve-mtls-test").start(() -> cli.runHere("serve", "--port", "0",
                "--backend", backend.id(), "--tls-cert", certs.serverEc.cert().toString(),
                "--tls-key", certsDir.resolve("serve-enc.key").toString(), "--key-pass", "file:" + passFile,
                "--tls-client-ca", certs.ca.toString()));
        try {
            String url = ServeAndUsageTest.awaitLine(cli, "listening on (https://\\S+)") + "/plaintext";
            String ca = certs.ca.toString();
            Cli good = Cli.run("get", "--backend", backend.id(), "--cacert", ca, "--cert", certs.client.cert().toString(),
                    "--key", certsDir.resolve("client-enc.key").toString(), "--pass", "s3cret", url);
            assertEquals(Pollen.OK, good.exitCode, good.toString());
            assertEquals("Hello, World!", good.lines().getLast(), good.toString());

            assertFails(Cli.run("get", "--backend", backend.id(), "--cacert", ca, url),
                    "the server requires a client certificate (none was sent: ");
            assertFails(Cli.run("get", "--backend", backend.id(), "--cacert", ca, "--cert", certs.clientExpired.cert().toString(),
                    "--key", certs.clientExpired.key().toString(), url), "client certificate not trusted by the server (alert: ");
            Cli wrong = Cli.run("get", "--backend", backend.id(), "--cacert", ca, "--cert", certs.client.cert().toString(),
                    "--key", certsDir.resolve("client-enc.key").toString(), "--pass", "S3CRET", url);
            assertEquals(Pollen.USAGE, wrong.exitCode, wrong.toString());
            assertTrue(wrong.stderr().contains("client-enc.key: wrong password for the encrypted key"), wrong.toString());
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
        assertFalse(serving.isAlive(), "serve did not stop when interrupted");
    }

    @Test
    void badTlsArgumentsAreUsageErrors() {
        String cert = certs.server.cert().toString();
        for (String[] args : new String[][]{
                {"serve", "--tls-cert", cert},
                {"serve", "--tls-port", "8443"},
                {"serve", "--tls-cert", cert, "--tls-key", cert},
                {"get", "--cacert", dir.resolve("missing.pem").toString(), ok.url("/")},
                {"get", "ftp://localhost/"},
                {"serve", "--tls-client-ca", certs.ca.toString()},
                {"serve", "--key-pass", "x"},
                {"serve", "--tls-cert", cert, "--tls-key", certs.server.key().toString(), "--tls-client-ca", cert + ".missing"},
                {"serve", "--tls-cert", cert, "--tls-key", certs.server.key().toString(), "--key-pass", "env:POLLEN_NO_SUCH_VARIABLE"},
                {"get", "--cert", cert, ok.url("/")},
                {"get", "--pass", "x", ok.url("/")},
                {"get", "--cert", cert, "--key", certs.serverEc.key().toString(), ok.url("/")}}) {
            Cli cli = Cli.run(args);
            assertEquals(Pollen.USAGE, cli.exitCode, cli.toString());
        }
    }
}
