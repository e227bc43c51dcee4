package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.testing.TestCerts;
import io.pollen.tls.TlsContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pollen's HTTPS server ({@link HttpServer.Builder#tls}) with real peers: curl (keep-alive, chunked
 * upload), openssl s_client (TLS 1.2 and 1.3), the JDK's SSLSocket (pipelining, abrupt closes),
 * Pollen's own HttpClient; and hostile peers (garbage, a ClientHello cut in half, silence), each
 * closed cleanly while other connections are served.
 */
@Timeout(120)
class HttpsServerTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static SSLContext clientCtx;
    static TestServers servers;

    @BeforeAll
    static void before() throws Exception {
        TestServers.warmUp();
        certs = TestCerts.create(dir);
        clientCtx = TlsContexts.client(certs.ca);
        SSLContext serverCtx = TlsContexts.server(certs.server.cert(), certs.server.key());
        servers = new TestServers(2, b -> b.tls(serverCtx).headerTimeout(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    static String url(Backend backend, String path) throws IOException {
        return "https://127.0.0.1:" + servers.server(backend).port() + path;
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static Result run(String stdin, String... cmd) throws Exception {
        Assumptions.assumeTrue(PythonServer.hasCommand(cmd[0]) || cmd[0].equals("openssl"), cmd[0] + " not installed");
        Path err = Files.createTempFile(dir, cmd[0], ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), cmd[0] + " finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1));
    }

    static Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", certs.ca.toString()));
        cmd.addAll(List.of(args));
        return run(null, cmd.toArray(String[]::new));
    }

    /** A JDK TLS socket trusting the test CA, connected to the server of {@code backend}. */
    static SSLSocket tlsSocket(Backend backend) throws IOException {
        return (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), servers.server(backend).port());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void curlReusesTheTlsConnection(Backend backend) throws Exception {
        String url = url(backend, "/plaintext");
        Result r = curl("-v", url, url, url);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("Hello, World!".repeat(3), r.stdout());
        assertTrue(r.stderr().contains("Re-using existing connection"), r.stderr());
        assertTrue(r.stderr().contains("ALPN: server accepted http/1.1"), r.stderr());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void curlChunkedUploadIsEchoed(Backend backend) throws Exception {
        byte[] data = new byte[300_000];
        new Random(42).nextBytes(data);
        Path file = Files.write(dir.resolve("upload-" + backend.id() + ".bin"), data);
        Result r = curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, url(backend, "/echo"));
        assertEquals(0, r.exit(), r.stderr());
        assertArrayEquals(data, r.stdout().getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void opensslHandshakesWithTls12AndTls13(Backend backend) throws Exception {
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Result r = run("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                    "openssl", "s_client", "-connect", "127.0.0.1:" + servers.server(backend).port(), version,
                    "-CAfile", certs.ca.toString(), "-servername", "localhost", "-verify_return_error", "-ign_eof");
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            assertTrue(r.stdout().contains("Protocol  : " + (version.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3")), r.stdout());
            assertTrue(r.stdout().contains("Verify return code: 0 (ok)"), r.stdout());
            assertTrue(r.stdout().contains("Hello, World!"), r.stdout());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pipelinedRequestsOverTlsAreAnsweredInOrder(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(tlsSocket(backend))) {
            c.send(RawHttp.get("/plaintext") + "GET /echo?x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    + RawHttp.get("/nothing-here"));
            assertEquals("Hello, World!", c.read().body());
            assertEquals("abc", c.read().body());
            assertEquals(404, c.read().status());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pollenClientKeepsTheTlsConnectionAlive(Backend backend) throws Exception {
        servers.server(backend);
        try (HttpClient client = HttpClient.builder(servers.runtime(backend)).tls(clientCtx).build()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse r = client.get(url(backend, "/plaintext").replace("127.0.0.1", "localhost")).get(10, TimeUnit.SECONDS);
                assertEquals("Hello, World!", r.bodyString());
            }
            assertEquals(1, client.idleConnections());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void garbageInsteadOfAClientHelloIsClosed(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), servers.server(backend).port()))) {
            c.send(RawHttp.get("/plaintext")); // plain HTTP on the TLS port
            c.readAll(); // perhaps an alert, then the end
            assertServedMeanwhile(backend);
        }
        awaitNoConnections(backend);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aClientHelloCutInHalfThenSilenceIsClosedByTheTimeout(Backend backend) throws Exception {
        byte[] hello = clientHello(clientCtx);
        try (RawHttp c = new RawHttp(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), servers.server(backend).port()))) {
            c.send(java.util.Arrays.copyOf(hello, hello.length / 2));
            assertServedMeanwhile(backend); // the stalled handshake does not hold the loop
            assertTrue(c.closedByPeer(), "closed by the header (handshake) timeout");
        }
        awaitNoConnections(backend);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aSilentClientIsClosedByTheHandshakeTimeout(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), servers.server(backend).port()))) {
            assertServedMeanwhile(backend);
            assertTrue(c.closedByPeer(), "closed by the header (handshake) timeout");
        }
        awaitNoConnections(backend);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aClientThatVanishesWithoutCloseNotifyIsClosed(Backend backend) throws Exception {
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), servers.server(backend).port());
             SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(raw, "localhost", raw.getPort(), false)) {
            RawHttp c = new RawHttp(s);
            c.send(RawHttp.get("/plaintext"));
            assertEquals("Hello, World!", c.read().body());
            raw.close(); // TCP FIN, no close_notify
        }
        awaitNoConnections(backend);
        assertServedMeanwhile(backend);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void limitsAndTheHeaderTimeoutApplyOverTls(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(tlsSocket(backend))) {
            c.send("GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertEquals(431, c.read().status());
            assertTrue(c.closedByPeer(), "closed after the refusal");
        }
        try (RawHttp c = new RawHttp(tlsSocket(backend))) {
            c.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n"); // the head never ends
            assertEquals(408, c.read().status());
            assertTrue(c.closedByPeer(), "closed after the 408");
        }
        awaitNoConnections(backend);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void closingTheServerInTheMiddleOfHandshakesLeavesNothingOpen(Backend backend) throws Exception {
        byte[] hello = clientHello(clientCtx);
        SSLContext ctx = TlsContexts.server(certs.serverEc.cert(), certs.serverEc.key());
        try (io.pollen.runtime.Runtime rt = io.pollen.runtime.Runtime.builder().backend(backend).build()) {
            HttpServer server = DemoRoutes.install(HttpServer.builder()).tls(ctx).start(rt);
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    RawHttp c = new RawHttp(server.localAddress());
                    clients.add(c);
                    c.send(i % 2 == 0 ? hello : java.util.Arrays.copyOf(hello, 40)); // whole or cut
                }
                server.close(); // handshakes in flight, delegated tasks perhaps running
                for (RawHttp c : clients) {
                    c.readAll(); // the server's flight perhaps, then the end
                }
                assertEquals(0, server.connectionCount());
            } finally {
                for (RawHttp c : clients) {
                    c.close();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aDrainAnswersTheTlsRequestInFlightThenClosesWithCloseNotify(Backend backend) throws Exception {
        SSLContext ctx = TlsContexts.server(certs.serverEc.cert(), certs.serverEc.key());
        try (io.pollen.runtime.Runtime rt = io.pollen.runtime.Runtime.builder().backend(backend).build()) {
            HttpServer server = DemoRoutes.install(HttpServer.builder()).tls(ctx).start(rt);
            try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    server.port()); RawHttp c = new RawHttp(s)) {
                c.send(RawHttp.get("/plaintext"));
                assertEquals("Hello, World!", c.read().body()); // the handshake is done, the connection kept
                c.send(RawHttp.get("/delay/300/late"));
                Thread.sleep(100); // the request is in flight when the drain starts
                var drained = server.shutdown(Duration.ofSeconds(10));
                RawHttp.Reply late = c.read();
                assertEquals("late", late.body());
                assertEquals("close", late.header("Connection"));
                assertEquals(-1, s.getInputStream().read(), "the end of the TLS stream: close_notify, then FIN");
                assertTrue(drained.get(10, TimeUnit.SECONDS), "drained in time");
            } finally {
                server.close();
            }
        }
    }

    /** Another TLS connection gets its answer: the loop is not held by a misbehaving peer. */
    private static void assertServedMeanwhile(Backend backend) throws Exception {
        try (RawHttp other = new RawHttp(tlsSocket(backend))) {
            other.send(RawHttp.get("/plaintext"));
            assertEquals("Hello, World!", other.read().body());
        }
    }

    private static void awaitNoConnections(Backend backend) throws Exception {
        HttpServer s = servers.server(backend);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.connectionCount() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(0, s.connectionCount(), "every connection closed");
    }

    /** A real ClientHello, as a JDK client of {@code ctx} would send it. */
    static byte[] clientHello(SSLContext ctx) throws Exception {
        SSLEngine e = TlsContexts.clientEngine(ctx, "localhost", 443, "http/1.1");
        e.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
        e.wrap(ByteBuffer.allocate(0), out);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }
}
