package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The server's protocol behaviour, over raw sockets, on every backend. */
@Timeout(60)
class HttpServerTest {
    static Fds.Snapshot fds;
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
        servers = new TestServers(2, b -> b
                .route("/boom", req -> {
                    throw new IllegalStateException("boom");
                })
                .routeAsync("GET", "/elsewhere", req -> CompletableFuture.supplyAsync(() -> Response.text("from another thread")))
                .route("POST", "/only-post", req -> Response.text("posted")));
    }

    @AfterAll
    static void after() {
        servers.close();
        fds.assertNoLeak();
    }

    static final Pattern IMF_DATE = Pattern.compile("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void plaintext(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            RawHttp.Reply r = c.send(RawHttp.get("/plaintext")).read();
            assertEquals("HTTP/1.1 200 OK", r.statusLine());
            assertEquals("Hello, World!", r.body());
            assertEquals("13", r.header("Content-Length"));
            assertEquals("text/plain", r.header("Content-Type"));
            assertEquals("pollen", r.header("Server"));
            assertTrue(IMF_DATE.matcher(r.header("Date")).matches(), r.header("Date"));
            assertNull(r.header("Connection"));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void keepAliveServesManyRequestsOnOneConnection(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            for (int i = 0; i < 20; i++) {
                assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body());
            }
        }
    }

    /** Sync and async handlers mixed in one pipeline: responses come back in request order. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pipelinedRequestsAnswerInOrder(Backend backend) throws Exception {
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            switch (i % 4) {
                case 0 -> batch.append(RawHttp.get("/delay/30/r" + i));
                case 1 -> batch.append(RawHttp.get("/plaintext"));
                case 2 -> batch.append("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\ne").append(i < 10 ? "0" : "").append(i);
                default -> batch.append(RawHttp.get("/elsewhere"));
            }
        }
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            c.send(batch.toString());
            for (int i = 0; i < 12; i++) {
                RawHttp.Reply r = c.read();
                assertEquals(200, r.status(), "response " + i);
                String expected = switch (i % 4) {
                    case 0 -> "r" + i;
                    case 1 -> "Hello, World!";
                    case 2 -> "e" + (i < 10 ? "0" : "") + i;
                    default -> "from another thread";
                };
                assertEquals(expected, r.body(), "response " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void connectionCloseAndHttp10(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            RawHttp.Reply r = c.send("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByPeer());
        }
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            RawHttp.Reply r = c.send("GET /plaintext HTTP/1.0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByPeer());
        }
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Reply r = c.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
                assertEquals("keep-alive", r.header("Connection"));
                assertEquals("Hello, World!", r.body());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void headHasTheFieldsOfGetAndNoBody(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            c.send("HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n" + RawHttp.get("/plaintext"));
            RawHttp.Reply head = c.read(true);
            assertEquals(200, head.status());
            assertEquals("13", head.header("Content-Length"));
            // if HEAD had sent a body, this would read "Hello, World!" as a status line
            assertEquals("Hello, World!", c.read().body());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void chunkedBodySplitAcrossWrites(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Type: text/x\r\n\r\n4\r\nWi");
            Thread.sleep(20);
            c.send("ki\r\n5;ext=1\r\npedia\r\n");
            Thread.sleep(20);
            c.send("0\r\nTrail: x\r\n\r\n");
            RawHttp.Reply r = c.read();
            assertEquals("Wikipedia", r.body());
            assertEquals("text/x", r.header("Content-Type"));
            assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body(), "still usable");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void expectContinue(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawHttp.Reply interim = c.read(true);
            assertEquals(100, interim.status());
            assertEquals("hello", c.send("hello").read().body());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void errorsFromRoutingAndHandlers(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            assertEquals(404, c.send(RawHttp.get("/nope")).read().status());
            RawHttp.Reply r405 = c.send(RawHttp.get("/only-post")).read();
            assertEquals(405, r405.status());
            assertEquals("POST", r405.header("Allow"));
            assertEquals(500, c.send(RawHttp.get("/boom")).read().status());
            assertEquals(400, c.send(RawHttp.get("/delay/abc/x")).read().status());
            assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body(), "still usable after errors");
            assertEquals("", c.send(RawHttp.get("/delay/0")).read().body());
            assertEquals("url/http://www.google.com", c.send(RawHttp.get("/delay/5/url/http://www.google.com")).read().body());
        }
    }

    /**
     * After an async handler's answer the server does not read a socket it knows is empty; it must
     * still see the bytes that come later (the next request on the connection), and the bytes that
     * came while the handler ran (a pipelined request, the end of the stream).
     */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void asyncAnswersThenTheNextRequestsWhenEverTheyCome(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            for (int i = 0; i < 3; i++) {
                assertEquals("k" + i, c.send(RawHttp.get("/delay/10/k" + i)).read().body(), "keep-alive, request " + i);
            }
            c.send(RawHttp.get("/delay/80/first"));
            Thread.sleep(30); // the handler is running
            c.send(RawHttp.get("/delay/0/second"));
            assertEquals("first", c.read().body());
            assertEquals("second", c.read().body(), "the request that came while the first was handled");
            c.send(RawHttp.get("/delay/50/last"));
            Thread.sleep(20);
            c.socket.shutdownOutput(); // the end of the stream while the handler runs: a hang-up (HangUpTest)
            assertTrue(c.closedByPeer(), "closed without an answer");
        }
    }

    /**
     * A client that sends a request and shuts down its output gets an answer made before the end of
     * the stream was read (a sync handler's); an async handler's is cancelled (HangUpTest).
     */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void halfClosedClientGetsItsResponse(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            c.send(RawHttp.get("/plaintext"));
            c.socket.shutdownOutput();
            RawHttp.Reply r = c.read();
            assertEquals("Hello, World!", r.body());
            assertTrue(c.closedByPeer());
        }
    }
}
