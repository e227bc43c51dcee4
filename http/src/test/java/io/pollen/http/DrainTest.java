package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.pollen.http.HangUpTest.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Graceful drain through {@link HttpServer#shutdown(Duration)} and {@link Runtime#shutdown(Duration)}:
 * requests in flight are answered with {@code Connection: close}, idle keep-alive connections
 * close at once, new connections are refused, and what still runs at the deadline is closed (its
 * handler cancelled).
 */
@Timeout(60)
class DrainTest {
    static Fds.Snapshot fds;
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    /** A runtime with one server whose {@code /work/{ms}} answers after ms, counting what happens. */
    private record Served(Runtime runtime, HttpServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            runtime.shutdown(Duration.ofSeconds(5));
        }
    }

    private Served serve(Backend backend) throws IOException {
        Runtime rt = Runtime.builder().backend(backend).loops(2).threadNamePrefix("drain-" + backend.id()).build();
        try {
            HttpServer server = DemoRoutes.install(HttpServer.builder()).routeAsync("GET", "/work/{ms}", req -> {
                started.incrementAndGet();
                long ms = Long.parseLong(req.pathParam("ms"));
                CompletableFuture<Response> f = EventLoop.current().sleep(Duration.ofMillis(ms))
                        .thenApply(v -> Response.text("worked " + ms));
                f.whenComplete((r, e) -> (e instanceof CancellationException ? cancelled : finished).incrementAndGet());
                return f;
            }).start(rt);
            return new Served(rt, server);
        } catch (IOException | RuntimeException e) {
            rt.shutdown(Duration.ofSeconds(5));
            throw e;
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void inFlightRequestsAreAnsweredIdleConnectionsClosedNewOnesRefused(Backend backend) throws Exception {
        try (Served s = serve(backend)) {
            List<RawHttp> idle = new ArrayList<>();
            List<RawHttp> busy = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    RawHttp c = new RawHttp(s.server.localAddress());
                    idle.add(c);
                    assertEquals(200, c.send(RawHttp.get("/plaintext")).read().status());
                }
                for (int i = 0; i < 50; i++) {
                    busy.add(new RawHttp(s.server.localAddress()).send(RawHttp.get("/work/1500")));
                }
                await(() -> started.get() == 50, "every handler started");
                CompletableFuture<Boolean> drained = s.server.shutdown(Duration.ofSeconds(20));
                for (RawHttp c : idle) {
                    assertTrue(c.closedByPeer(), "an idle keep-alive connection is closed at once");
                }
                awaitRefused(s.server); // every loop closed its listener
                assertEquals(0, finished.get(), "idle connections closed and new ones refused while the handlers still ran");
                assertThrows(ConnectException.class, () -> new Socket(s.server.localAddress().getAddress(), s.server.port()).close(),
                        "new connections are refused during the drain");
                for (RawHttp c : busy) {
                    RawHttp.Reply r = c.read();
                    assertNotNull(r, "every request in flight is answered");
                    assertEquals(200, r.status());
                    assertEquals("worked 1500", r.body());
                    assertEquals("close", r.header("Connection"));
                    assertTrue(c.closedByPeer());
                    c.close(); // the server lingers until the client closes too (then the drain ends)
                }
                assertTrue(drained.get(10, TimeUnit.SECONDS), "everything finished by itself");
                assertEquals(0, s.server.connectionCount());
                assertEquals(0, cancelled.get());
                assertSame(Boolean.TRUE, s.server.shutdown(Duration.ZERO).get(1, TimeUnit.SECONDS), "idempotent");
            } finally {
                for (RawHttp c : idle) {
                    c.close();
                }
                for (RawHttp c : busy) {
                    c.close();
                }
            }
        }
    }

    /** A request whose head had begun when the drain started is still read, answered and closed. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aRequestArrivingDuringTheDrainIsFinished(Backend backend) throws Exception {
        try (Served s = serve(backend); RawHttp c = new RawHttp(s.server.localAddress())) {
            String request = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
            c.send(request.substring(0, 20));
            await(() -> s.server.connectionCount() == 1, "accepted");
            Thread.sleep(50); // the first bytes are read
            CompletableFuture<Boolean> drained = s.server.shutdown(Duration.ofSeconds(20));
            awaitRefused(s.server); // the drain has begun on every loop
            c.send(request.substring(20));
            RawHttp.Reply r = c.read();
            assertEquals("hello", r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByPeer());
            c.close();
            assertTrue(drained.get(10, TimeUnit.SECONDS));
        }
    }

    /** Waits until connecting is refused: every loop closed its listener. */
    private static void awaitRefused(HttpServer server) throws InterruptedException {
        await(() -> {
            try (Socket ignored = new Socket(server.localAddress().getAddress(), server.port())) {
                return false;
            } catch (IOException e) {
                return true;
            }
        }, "connections refused");
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aRequestStillRunningAtTheDeadlineIsClosedAndCancelled(Backend backend) throws Exception {
        try (Served s = serve(backend); RawHttp slow = new RawHttp(s.server.localAddress());
             RawHttp quick = new RawHttp(s.server.localAddress())) {
            slow.send(RawHttp.get("/work/20000"));
            quick.send(RawHttp.get("/work/50"));
            await(() -> started.get() == 2, "both handlers started");
            CompletableFuture<Boolean> drained = s.server.shutdown(Duration.ofMillis(400));
            assertEquals("worked 50", quick.read().body(), "what finishes in time is answered");
            assertTrue(slow.closedByPeer(), "closed at the deadline without an answer");
            assertFalse(drained.get(10, TimeUnit.SECONDS), "not everything finished by itself");
            await(() -> cancelled.get() == 1, "the running handler saw its cancellation");
            assertEquals(0, s.server.connectionCount());
        }
    }

    /** Runtime.shutdown drains the servers started on it, within its deadline. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void runtimeShutdownDrainsItsServers(Backend backend) throws Exception {
        Served s = serve(backend);
        List<RawHttp> busy = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                busy.add(new RawHttp(s.server.localAddress()).send(RawHttp.get("/delay/500/r" + i)));
            }
            await(() -> s.runtime.loops().stream().mapToInt(EventLoop::timerCount).sum() >= 20 + 2, "every request waits");
            CompletableFuture<Boolean> graceful = CompletableFuture.supplyAsync(() -> s.runtime.shutdown(Duration.ofSeconds(20)));
            for (int i = 0; i < busy.size(); i++) {
                RawHttp.Reply r = busy.get(i).read();
                assertNotNull(r, "request " + i + " answered");
                assertEquals("r" + i, r.body());
                assertEquals("close", r.header("Connection"));
                assertTrue(busy.get(i).closedByPeer());
                busy.get(i).close();
            }
            assertTrue(graceful.get(10, TimeUnit.SECONDS), "a graceful shutdown");
        } finally {
            for (RawHttp c : busy) {
                c.close();
            }
            s.close();
        }
    }

    /** Past the runtime's deadline, the server's requests are cut off and shutdown says so. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void runtimeShutdownPastItsDeadlineIsNotGraceful(Backend backend) throws Exception {
        Served s = serve(backend);
        try (RawHttp slow = new RawHttp(s.server.localAddress())) {
            slow.send(RawHttp.get("/work/20000"));
            await(() -> started.get() == 1, "the handler started");
            assertFalse(s.runtime.shutdown(Duration.ofMillis(300)));
            assertTrue(slow.closedByPeer(), "closed without an answer");
        } finally {
            s.close();
        }
    }
}
