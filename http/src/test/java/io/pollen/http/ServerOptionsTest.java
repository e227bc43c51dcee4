package io.pollen.http;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Socket;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Builder options that change what a handler sees: the async fallback handler, small buffers, the
 * client's address. On every backend.
 */
@Timeout(60)
class ServerOptionsTest {
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        servers = new TestServers(1, b -> b
                .bufferSizes(256, 256)
                .route("GET", "/who", req -> Response.text(req.remoteAddress().getAddress().getHostAddress()
                        + ":" + req.remoteAddress().getPort()))
                .handlerAsync(req -> req.path().startsWith("/fail")
                        ? CompletableFuture.failedFuture(new IllegalStateException("fallback failed"))
                        : CompletableFuture.supplyAsync(() -> Response.text("fallback " + req.path()))));
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void remoteAddressIsTheClientsAddressAndPort(Backend backend) throws Exception {
        Socket s = new Socket("127.0.0.1", servers.address(backend).getPort());
        try (RawHttp c = new RawHttp(s)) {
            RawHttp.Reply r = c.send(RawHttp.get("/who")).read();
            assertEquals(200, r.status());
            assertEquals("127.0.0.1:" + s.getLocalPort(), r.body());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void anAsyncFallbackAnswersWhatNoRouteMatches(Backend backend) throws Exception {
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            assertEquals("fallback /no/such/route", c.send(RawHttp.get("/no/such/route")).read().body());
            assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body(), "routes still win");
            assertEquals(500, c.send(RawHttp.get("/fail")).read().status(), "a failed fallback stage is a 500");
            assertEquals("fallback /after", c.send(RawHttp.get("/after")).read().body(), "the connection goes on");
        }
    }

    /** Heads and bodies larger than the 256-byte buffers are read across reads and written in parts. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void smallBuffersStillCarryLargeMessages(Backend backend) throws Exception {
        String big = "x".repeat(3000);
        String body = "b".repeat(5000);
        try (RawHttp c = new RawHttp(servers.address(backend))) {
            RawHttp.Reply r = c.send("GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Big: " + big + "\r\n\r\n").read();
            assertEquals("Hello, World!", r.body());
            r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertEquals(200, r.status());
            assertEquals(body, r.body());
        }
        // The option took: with the default 16 KiB read buffer alone, the pool would hold more.
        BufferStats st = servers.server(backend).bufferStats();
        assertTrue(st.bytesHeld() + st.bytesInUse() < 16 * 1024, st.toString());
    }

    @Test
    void buffersBelow256BytesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().bufferSizes(255, 4096));
        assertThrows(IllegalArgumentException.class, () -> HttpServer.builder().bufferSizes(4096, 0));
        assertThrows(NullPointerException.class, () -> HttpServer.builder().handlerAsync(null));
    }
}
