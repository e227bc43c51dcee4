package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Clients that keep a request coming forever, each byte in time for the idle timeout: a body below
 * the minimum rate, and a head or body that never ends, are answered 408 and closed at the
 * configured limits; a client within the limits is served. (SlowlorisTest covers the header and
 * idle timeouts.)
 */
@Timeout(60)
class SlowClientsTest {
    static Fds.Snapshot fds;
    /** Minimum body rate 1000 B/s after 300 ms; the other limits far away. */
    static TestServers rate;
    /** Whole request within 500 ms; no rate limit; the other limits far away. */
    static TestServers whole;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
        rate = new TestServers(1, b -> b.minBodyRate(1000, Duration.ofMillis(300))
                .headerTimeout(Duration.ofSeconds(20)).idleTimeout(Duration.ofSeconds(20)).requestTimeout(Duration.ofSeconds(20)));
        whole = new TestServers(1, b -> b.requestTimeout(Duration.ofMillis(500)).minBodyRate(0, Duration.ZERO)
                .headerTimeout(Duration.ofSeconds(20)).idleTimeout(Duration.ofSeconds(20)));
    }

    @AfterAll
    static void after() {
        rate.close();
        whole.close();
        fds.assertNoLeak();
    }

    static final String POST_HEAD = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n";

    /** One byte every 20 ms (50 B/s), each in time for the idle timeout, is below 1000 B/s. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aBodyBelowTheMinimumRateGets408(Backend backend) throws Exception {
        assertTrickleGets408(rate.server(backend), POST_HEAD, "y");
    }

    /** 50 bytes every 20 ms (2500 B/s) keeps the rate, but the whole request has 500 ms. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aBodyThatNeverEndsGets408AtTheRequestTimeout(Backend backend) throws Exception {
        assertTrickleGets408(whole.server(backend), POST_HEAD, "y".repeat(50));
    }

    /** The request timeout covers the head too: a head trickled within the header timeout is cut off. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aHeadThatNeverEndsGets408AtTheRequestTimeout(Backend backend) throws Exception {
        assertTrickleGets408(whole.server(backend), "GET /plaintext HTTP/1.1\r\nHost: t\r\n", "X-Slow: 1\r\n");
    }

    /** Within every limit: served, and the connection stays open for the next request. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aClientWithinTheLimitsIsServed(Backend backend) throws Exception {
        for (TestServers servers : new TestServers[] {rate, whole}) {
            HttpServer server = servers.server(backend);
            try (RawHttp c = new RawHttp(server.localAddress())) {
                String body = "x".repeat(5000);
                c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + body.substring(0, 2500));
                Thread.sleep(100);
                c.send(body.substring(2500));
                assertEquals(body, c.read().body());
                assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body());
            }
            BadRequestsTest.awaitNoConnections(server);
        }
    }

    @Test
    void badLimitsAreRefused() {
        HttpServer.Builder b = HttpServer.builder();
        assertThrows(IllegalArgumentException.class, () -> b.requestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.minBodyRate(-1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> b.minBodyRate(1, Duration.ofSeconds(-1)));
        assertEquals(Deadlines.NEVER, Deadlines.nanos(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(100 + 2_000_000_000L, Deadlines.bodyRateDue(100, 2000, 1000, 5));
        assertEquals(100 + 5, Deadlines.bodyRateDue(100, 0, 1000, 5), "the grace period at least");
        assertEquals(100 + Deadlines.NEVER, Deadlines.bodyRateDue(100, Long.MAX_VALUE, 1, 0), "saturates");
    }

    /**
     * Sends {@code start}, then {@code trickle} every 20 ms until the server answers: it must be
     * 408 with {@code Connection: close}, then the close.
     */
    private static void assertTrickleGets408(HttpServer server, String start, String trickle) throws Exception {
        try (RawHttp c = new RawHttp(server.localAddress())) {
            c.send(start);
            AtomicBoolean stop = new AtomicBoolean();
            Thread trickler = trickle(c, stop, trickle.getBytes(), 20);
            try {
                RawHttp.Reply r = c.read();
                assertNotNull(r, "an answer before the close");
                assertEquals(408, r.status());
                assertEquals("close", r.header("Connection"));
                assertTrue(c.closedByPeer(), "then closed");
            } finally {
                stop.set(true);
                trickler.join();
            }
        }
        BadRequestsTest.awaitNoConnections(server);
    }

    private static Thread trickle(RawHttp c, AtomicBoolean stop, byte[] bytes, int everyMs) {
        return Thread.ofPlatform().name("trickler").start(() -> {
            try {
                while (!stop.get()) {
                    c.send(bytes);
                    Thread.sleep(everyMs);
                }
            } catch (IOException | InterruptedException e) {
                // the server closed the connection: what the test waits for
            }
        });
    }
}
