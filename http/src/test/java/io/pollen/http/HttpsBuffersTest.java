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
 * back to 0, as on the plain path); a second request on each works the same way.
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
