package io.pollen.http;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HttpServer.Builder#maxConnections}: the N+1st connection is answered 503 with
 * {@code Connection: close} and closed; once a connection leaves, new ones are served again.
 */
@Timeout(60)
class MaxConnectionsTest {
    static final int MAX = 4;
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        servers = new TestServers(2, b -> b.maxConnections(MAX));
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void connectionBeyondTheLimitGets503AndClose(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX; i++) {
                RawHttp c = new RawHttp(server.localAddress());
                held.add(c);
                assertEquals(200, c.send(RawHttp.get("/plaintext")).read().status(), "within the limit");
            }
            assertEquals(MAX, server.connectionCount());
            for (int round = 0; round < 3; round++) {
                try (RawHttp extra = new RawHttp(server.localAddress())) {
                    RawHttp.Reply r = extra.send(RawHttp.get("/plaintext")).read();
                    assertEquals(503, r.status(), "beyond the limit");
                    assertEquals("close", r.header("Connection"));
                    assertTrue(extra.closedByPeer(), "and closed");
                }
            }
            held.removeFirst().close();
            TestServers.awaitConnections(server, MAX - 1);
            RawHttp again = new RawHttp(server.localAddress());
            held.add(again);
            assertEquals("Hello, World!", again.send(RawHttp.get("/plaintext")).read().body(), "room again");
            // The ones held all along were never disturbed.
            for (RawHttp c : held) {
                assertEquals(200, c.send(RawHttp.get("/plaintext")).read().status());
            }
        } finally {
            for (RawHttp c : held) {
                c.close();
            }
        }
        TestServers.awaitNoConnections(server);
    }

    /** The largest limit is no limit: its arithmetic must not overflow into refusing everyone. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void theLargestLimitServesEveryone(Backend backend) throws Exception {
        try (TestServers unlimited = new TestServers(1, b -> b.maxConnections(Integer.MAX_VALUE))) {
            HttpServer server = unlimited.server(backend);
            for (int i = 0; i < 3; i++) {
                try (RawHttp c = new RawHttp(server.localAddress())) {
                    assertEquals(200, c.send(RawHttp.get("/plaintext")).read().status());
                }
            }
        }
    }

    @Test
    void limitMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().maxConnections(0));
        assertEquals(10_000, HttpServer.DEFAULT_MAX_CONNECTIONS);
    }
}
