package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.EventLoop;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Clients that go away while an async handler runs: by FIN, by RST (SO_LINGER 0), by half-closing
 * after the request. The server notices at once, releases the connection and its fd, and cancels
 * the handler's stage; the demo {@code /delay} route's timers go with it. A response produced
 * before the end of the stream (a sync handler) still leaves.
 */
@Timeout(120)
class HangUpTest {
    static final int CLIENTS = 300;
    /** Far longer than any wait below: a release seen before it is the hang-up's doing. */
    static final Duration HOLD = Duration.ofSeconds(20);
    static Fds.Snapshot fds;
    static TestServers servers;
    static final AtomicInteger started = new AtomicInteger();
    static final AtomicInteger cancelled = new AtomicInteger();

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
        servers = new TestServers(2, b -> b.routeAsync("GET", "/hold/{n}", req -> {
            started.incrementAndGet();
            CompletableFuture<Response> f = EventLoop.current().sleep(HOLD).thenApply(v -> Response.text("late"));
            f.whenComplete((r, e) -> {
                if (e instanceof CancellationException) {
                    cancelled.incrementAndGet();
                }
            });
            return f;
        }));
    }

    @AfterAll
    static void after() {
        servers.close();
        fds.assertNoLeak();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void clientsHangingUpDuringAnAsyncHandlerAreReleasedAndCancelled(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        int baseline = Fds.count();
        int startedBefore = started.get();
        int cancelledBefore = cancelled.get();
        List<Socket> clients = connect(server, CLIENTS, i -> RawHttp.get("/hold/" + i));
        await(() -> started.get() - startedBefore == CLIENTS, "every handler started");
        assertEquals(CLIENTS, server.connectionCount());
        hangUp(clients);
        await(() -> Fds.count() <= baseline, Duration.ofSeconds(2), "the server's fds back to the baseline of "
                + baseline + " (now " + Fds.count() + "), ten times sooner than the handlers' " + HOLD);
        assertEquals(0, server.connectionCount());
        await(() -> cancelled.get() - cancelledBefore == CLIENTS, "every handler saw its cancellation");
        assertServes(server);
    }

    /** The demo route: its timers are cancelled with the requests, none is left for a dead connection. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void delayTimersAreCancelledWithTheirRequests(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        int baseline = Fds.count();
        int timersBefore = timers(backend);
        List<Socket> clients = connect(server, 100, i -> RawHttp.get("/delay/20000/x" + i));
        await(() -> timers(backend) == timersBefore + 100, "a timer per request");
        hangUp(clients);
        await(() -> Fds.count() <= baseline && server.connectionCount() == 0, "connections released");
        await(() -> timers(backend) == timersBefore, "the timers of the abandoned requests cancelled");
    }

    /** Half-closing after the request is a hang-up too (see ServerConnection): no answer, handler cancelled. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void halfCloseWhileTheHandlerRunsIsAHangUp(Backend backend) throws Exception {
        int startedBefore = started.get();
        assertHalfCloseCancels(servers.server(backend), RawHttp.get("/hold/half"),
                () -> await(() -> started.get() > startedBefore, "the handler started"));
    }

    /** The end of the stream in the same read as the request, pipelined behind an async one. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void requestsAndEndOfStreamTogetherCancelTheHandler(Backend backend) throws Exception {
        assertHalfCloseCancels(servers.server(backend), RawHttp.get("/hold/a") + RawHttp.get("/plaintext"), () -> { });
    }

    interface Step {
        void run() throws Exception;
    }

    /** Sends {@code requests}, runs {@code then}, half-closes: closed with no answer, one handler cancelled. */
    private static void assertHalfCloseCancels(HttpServer server, String requests, Step then) throws Exception {
        int cancelledBefore = cancelled.get();
        try (RawHttp c = new RawHttp(server.localAddress())) {
            c.send(requests);
            then.run();
            c.socket.shutdownOutput();
            assertTrue(c.closedByPeer(), "closed without an answer");
        }
        await(() -> cancelled.get() > cancelledBefore, "the handler saw its cancellation");
        BadRequestsTest.awaitNoConnections(server);
    }

    /** A sync answer is produced before the end of the stream is read: it still leaves. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aSyncAnswerBeforeTheEndOfTheStreamStillLeaves(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp c = new RawHttp(server.localAddress())) {
            c.send(RawHttp.get("/plaintext"));
            c.socket.shutdownOutput();
            assertEquals("Hello, World!", c.read().body());
            assertTrue(c.closedByPeer());
        }
        BadRequestsTest.awaitNoConnections(server);
    }

    interface Requests {
        String request(int i);
    }

    static List<Socket> connect(HttpServer server, int n, Requests requests) throws IOException {
        List<Socket> clients = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                clients.add(s);
                s.connect(server.localAddress(), 5000);
                s.getOutputStream().write(requests.request(i).getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException | RuntimeException e) {
            hangUp(clients);
            throw e;
        }
        return clients;
    }

    /** Closes every other client with a reset (SO_LINGER 0), the rest with a FIN. */
    static void hangUp(List<Socket> clients) throws IOException {
        for (int i = 0; i < clients.size(); i++) {
            Socket s = clients.get(i);
            if (i % 2 == 0 && s.isConnected()) {
                s.setSoLinger(true, 0);
            }
            s.close();
        }
    }

    private static int timers(Backend backend) {
        return servers.runtime(backend).loops().stream().mapToInt(EventLoop::timerCount).sum();
    }

    private static void assertServes(HttpServer server) throws IOException {
        try (RawHttp c = new RawHttp(server.localAddress())) {
            assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body());
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, Duration.ofSeconds(5), what);
    }

    static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + limit.toMillis() + " ms: " + what);
            }
            Thread.sleep(5);
        }
    }
}
