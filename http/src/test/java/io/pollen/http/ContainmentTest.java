package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.EventLoop;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containment: an {@link Error} in a handler — {@link OutOfMemoryError} and
 * {@link StackOverflowError} really thrown, sync or async, thrown or completing the stage — costs
 * only its connection: answered 500 with {@code Connection: close}, closed, its fd released; the
 * loop serves the next request. (Found: an OOM left the connection open with no answer, fd leaked.)
 */
@Timeout(120)
class ContainmentTest {
    static Fds.Snapshot fds;
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
        servers = new TestServers(1, b -> b
                .route("GET", "/oom", req -> {
                    throw new OutOfMemoryError("Java heap space (thrown by a test handler)");
                })
                .route("GET", "/soe", req -> Response.text("depth " + recurse(0)))
                .routeAsync("GET", "/async-throws", req -> {
                    throw new OutOfMemoryError("thrown before the stage exists");
                })
                .routeAsync("GET", "/async-fails-now", req -> CompletableFuture.failedFuture(
                        new OutOfMemoryError("a stage completed exceptionally at once")))
                .routeAsync("GET", "/async-fails-later", req -> EventLoop.current().sleep(Duration.ofMillis(20))
                        .thenApply(v -> {
                            throw new StackOverflowError("a stage completed exceptionally later");
                        }))
                .routeAsync("GET", "/async-soe", req -> EventLoop.current().sleep(Duration.ofMillis(5))
                        .thenApply(v -> Response.text("depth " + recurse(0)))));
    }

    @AfterAll
    static void after() {
        servers.close();
        fds.assertNoLeak();
    }

    /** Recurses until the stack overflows: a real StackOverflowError, not a constructed one. */
    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    static Stream<Arguments> cases() {
        return TestServers.backends().flatMap(b -> Stream.of("/oom", "/soe", "/async-throws", "/async-fails-now",
                "/async-fails-later", "/async-soe").map(path -> Arguments.of(b, path)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void errorInAHandlerClosesOnlyItsConnection(Backend backend, String path) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp idle = new RawHttp(server.localAddress())) {
            // A bystander on the same loop, served before and after.
            assertEquals(200, idle.send(RawHttp.get("/plaintext")).read().status());
            int fdsBefore = Fds.count();
            try (RawHttp c = new RawHttp(server.localAddress())) {
                RawHttp.Reply r = c.send(RawHttp.get(path)).read();
                assertEquals(500, r.status(), path);
                assertEquals("close", r.header("Connection"), path + ": the connection is not trusted after an Error");
                assertTrue(c.closedByPeer(), path + ": closed after the 500");
            }
            awaitConnections(server, 1);
            assertTrue(Fds.count() <= fdsBefore + 1, "the failed connection's fd was released");
            assertEquals("Hello, World!", idle.send(RawHttp.get("/plaintext")).read().body(), "the loop serves on");
        }
        try (RawHttp next = new RawHttp(server.localAddress())) {
            assertEquals("Hello, World!", next.send(RawHttp.get("/plaintext")).read().body(), "a new connection is served");
        }
        BadRequestsTest.awaitNoConnections(server);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pipelinedRequestsBeforeTheFailureAreStillAnswered(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp c = new RawHttp(server.localAddress())) {
            c.send(RawHttp.get("/plaintext") + RawHttp.get("/oom") + RawHttp.get("/plaintext"));
            assertEquals(200, c.read().status());
            assertEquals(500, c.read().status());
            assertTrue(c.closedByPeer(), "nothing is answered after the Error");
        }
        BadRequestsTest.awaitNoConnections(server);
    }

    static void awaitConnections(HttpServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.connectionCount() > n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, server.connectionCount(), "connections open on the server");
    }
}
