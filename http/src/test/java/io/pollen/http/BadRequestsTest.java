package io.pollen.http;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Table-driven: each malformed or oversized request gets its status code, then a clean close, and
 * no connection is left open on the server; then a normal request is still served.
 */
@Timeout(120)
class BadRequestsTest {
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        servers = new TestServers(1, b -> b.limits(1024, 2048, 20, 4096));
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    static final String H = "Host: t\r\n";

    static List<Object[]> table() {
        List<Object[]> t = new ArrayList<>();
        t.add(new Object[]{"request line too long", "GET /" + "a".repeat(2000) + " HTTP/1.1\r\n" + H + "\r\n", 414});
        t.add(new Object[]{"header too large", "GET / HTTP/1.1\r\n" + H + "X-Big: " + "b".repeat(3000) + "\r\n\r\n", 431});
        t.add(new Object[]{"too many headers", "GET / HTTP/1.1\r\n" + H + "X: 1\r\n".repeat(30) + "\r\n", 431});
        t.add(new Object[]{"body too large (length)", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 5000\r\n\r\n" + "x".repeat(5000), 413});
        String chunk = "800\r\n" + "y".repeat(2048) + "\r\n";
        t.add(new Object[]{"body too large (chunked)", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
                + chunk.repeat(3) + "0\r\n\r\n", 413});
        t.add(new Object[]{"garbage", "\u0001\u0002\u0003 nonsense\r\n\r\n", 400});
        t.add(new Object[]{"no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400});
        t.add(new Object[]{"space before colon", "GET / HTTP/1.1\r\n" + H + "Bad : x\r\n\r\n", 400});
        t.add(new Object[]{"obs-fold", "GET / HTTP/1.1\r\n" + H + "X: a\r\n  b\r\n\r\n", 400});
        t.add(new Object[]{"bad content-length", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 12a\r\n\r\n", 400});
        t.add(new Object[]{"TE and CL", "POST /echo HTTP/1.1\r\n" + H + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400});
        t.add(new Object[]{"bad chunk size", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400});
        t.add(new Object[]{"unsupported coding", "POST /echo HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501});
        t.add(new Object[]{"HTTP/2.0", "GET / HTTP/2.0\r\n" + H + "\r\n", 505});
        t.add(new Object[]{"HTTP/3.1", "GET / HTTP/3.1\r\n" + H + "\r\n", 505});
        t.add(new Object[]{"lowercase version", "GET / http/1.1\r\n" + H + "\r\n", 400});
        t.add(new Object[]{"bad expectation", "POST /echo HTTP/1.1\r\n" + H + "Expect: magic\r\nContent-Length: 1\r\n\r\nx", 417});
        t.add(new Object[]{"NUL in value", "GET / HTTP/1.1\r\n" + H + "X: a\u0000b\r\n\r\n", 400});
        return t;
    }

    static Stream<Arguments> cases() {
        return TestServers.backends().flatMap(b -> table().stream().map(row -> Arguments.of(b, row[0], row[1], row[2])));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("cases")
    void refusedWithStatusAndClosed(Backend backend, String name, String request, int status) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp c = new RawHttp(server.localAddress())) {
            c.send(request);
            RawHttp.Reply r = c.read();
            assertNotNull(r, "a response before the close");
            assertEquals(status, r.status(), name);
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByPeer(), "the server closes after refusing");
        }
        TestServers.awaitNoConnections(server);
        try (RawHttp c = new RawHttp(server.localAddress())) {
            assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body());
        }
        TestServers.awaitNoConnections(server);
    }
}
