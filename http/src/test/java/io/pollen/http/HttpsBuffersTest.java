package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.testing.TestCerts;
import io.pollen.tls.TlsContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An HTTPS server's TLS records go through its loops' buffer pools like plain input, on every
 * backend: the handshakes and requests of N kept-alive connections take their buffers from the
 * pool, and once the N connections are idle none of them holds one ({@link BufferStats#bytesInUse()}
 * back to 0, as on the plain path); a second request on each works the same way. A partial record
 * keeps its buffer while its peer is there; a peer that goes away half-way, one that sends garbage
 * and one that vanishes without close_notify leave no buffer behind. Pollen's client: a pooled idle
 * https connection holds no TLS buffer either.
 */
@Timeout(120)
class HttpsBuffersTest {
    private static final int CONNECTIONS = 16;
    @TempDir
    static Path dir;
    static SSLContext clientCtx;
    static TestServers servers;

    @BeforeAll
    static void before() throws Exception {
        TestServers.warmUp();
        TestCerts certs = TestCerts.create(dir);
        clientCtx = TlsContexts.client(certs.ca);
        SSLContext serverCtx = TlsContexts.server(certs.serverEc.cert(), certs.serverEc.key());
        servers = new TestServers(1, b -> b.tls(serverCtx));
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void idleKeptAliveTlsConnectionsHoldNoBuffer(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        BufferStats before = server.bufferStats();
        List<SSLSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
                open.add(s);
                get(s);
            }
            BufferStats idle = server.bufferStats();
            assertEquals(0, idle.bytesInUse(), CONNECTIONS + " idle TLS connections hold no buffer: " + idle);
            long takes = idle.allocations() + idle.hits() - before.allocations() - before.hits();
            // a plain request takes one input buffer; a TLS one also its records' (handshake and data)
            assertTrue(takes >= 3L * CONNECTIONS, "TLS records went through the pool: " + takes + " takes");
            for (SSLSocket s : open) {
                get(s); // kept alive: a second request on each
            }
            assertEquals(0, server.bufferStats().bytesInUse(), "idle again");
        } finally {
            for (SSLSocket s : open) {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pollenClientsPooledTlsConnectionsHoldNoBuffer(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        try (HttpClient client = HttpClient.builder(servers.runtime(backend)).tls(clientCtx).build()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse r = client.get("https://localhost:" + server.port() + "/plaintext").get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals("Hello, World!", r.bodyString());
                assertEquals(0, client.tlsBufferBytesInUse(), "the idle pooled connection holds no TLS buffer");
            }
            assertEquals(1, client.idleConnections());
        }
        assertEquals(0, server.bufferStats().bytesInUse());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void buffersComeBackFromHostileAndVanishingPeers(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        java.net.InetSocketAddress at = new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
        byte[] hello = HttpsServerTest.clientHello(clientCtx);
        try (RawHttp half = new RawHttp(at)) {
            half.send(java.util.Arrays.copyOf(hello, hello.length / 2));
            awaitBytesInUse(server, true); // the partial record legitimately keeps its buffer
        } // ... until the peer goes away
        try (RawHttp garbage = new RawHttp(at)) {
            garbage.send(RawHttp.get("/plaintext")); // plain HTTP on the TLS port: an alert, a lingering close
            garbage.readAll();
        }
        SSLSocket vanishing = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
        get(vanishing);
        vanishing.setSoLinger(true, 0); // a reset, no close_notify
        vanishing.close();
        TestServers.awaitNoConnections(server);
        assertEquals(0, server.bufferStats().bytesInUse(), "every buffer came back");
    }

    /** Waits (bounded) until some buffer is in use, or none. */
    private static void awaitBytesInUse(HttpServer server, boolean some) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((server.bufferStats().bytesInUse() > 0) != some && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(some, server.bufferStats().bytesInUse() > 0, "buffers in use: " + server.bufferStats());
    }

    private static void get(SSLSocket s) throws IOException {
        s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[1024];
        while (got.indexOf("Hello, World!") < 0) {
            int n = in.read(buf);
            assertTrue(n > 0, "the connection stays open: " + got);
            got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        assertTrue(got.toString().startsWith("HTTP/1.1 200 "), got.toString());
    }
}
