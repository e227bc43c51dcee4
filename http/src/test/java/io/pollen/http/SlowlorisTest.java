package io.pollen.http;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Clients that trickle a request head one byte at a time are cut off by the header-read timeout
 * (408, then close), while a normal client is served throughout; an idle keep-alive connection is
 * closed by the idle timeout.
 */
@Timeout(60)
class SlowlorisTest {
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        servers = new TestServers(1, b -> b.headerTimeout(Duration.ofMillis(600)).idleTimeout(Duration.ofMillis(1500)));
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void tricklingClientsAreCutOffWhileOthersAreServed(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        List<RawHttp> slow = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slow.add(new RawHttp(server.localAddress()));
        }
        byte[] head = RawHttp.get("/plaintext").getBytes();
        long start = System.nanoTime();
        int cutOff = 0;
        try (RawHttp normal = new RawHttp(server.localAddress())) {
            // Trickle a byte every 100 ms: the head would take ~3 s, the header timeout is 600 ms.
            for (int b = 0; b < head.length - 2 && cutOff < slow.size(); b++) {
                cutOff = 0;
                for (RawHttp s : slow) {
                    try {
                        s.send(new byte[]{head[b]});
                    } catch (IOException e) {
                        cutOff++; // the server closed it (reset on write)
                    }
                }
                assertEquals("Hello, World!", normal.send(RawHttp.get("/plaintext")).read().body(),
                        "a normal client is served while the slow ones trickle");
                Thread.sleep(100);
            }
        }
        for (RawHttp s : slow) {
            String rest = s.readAll(); // ends at the server's close, bounded by the socket timeout
            assertTrue(rest.isEmpty() || rest.startsWith("HTTP/1.1 408 "), rest);
            s.close();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < 10_000, "slow clients were held for " + elapsedMs + " ms");
        TestServers.awaitNoConnections(server);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void idleKeepAliveConnectionIsClosed(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp c = new RawHttp(server.localAddress())) {
            assertEquals(200, c.send(RawHttp.get("/plaintext")).read().status());
            long start = System.nanoTime();
            assertTrue(c.closedByPeer(), "closed by the idle timeout");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 1000, "not before the idle timeout: " + ms + " ms");
        }
        TestServers.awaitNoConnections(server);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void silentConnectionIsClosedByTheHeaderTimeout(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp c = new RawHttp(server.localAddress())) {
            assertTrue(c.closedByPeer(), "a connection that never sends is closed");
        }
        TestServers.awaitNoConnections(server);
    }
}
