package io.pollen.http;

import io.pollen.http.codec.ChunkedCases;
import io.pollen.http.codec.HttpParseException;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Strict chunked framing end to end, on every backend: each malformed chunked request body is
 * answered 400 and the connection closed (then the server still serves); valid edge cases are
 * echoed; the client fails a malformed chunked response with an error that says so.
 */
@Timeout(120)
class ChunkedFramingTest {
    static Fds.Snapshot fds;
    static TestServers servers;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
        servers = new TestServers(1, b -> b);
    }

    @AfterAll
    static void after() {
        servers.close();
        fds.assertNoLeak();
    }

    static final String HEAD = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";

    static Stream<Arguments> bad() {
        return TestServers.backends().flatMap(b -> ChunkedCases.bad().stream().map(c -> Arguments.of(b, c)));
    }

    static Stream<Arguments> good() {
        return TestServers.backends().flatMap(b -> ChunkedCases.good().stream().map(c -> Arguments.of(b, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bad")
    void badFramingIsRefusedWith400AndAClose(Backend backend, ChunkedCases.Bad c) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send(HEAD + c.body());
            RawHttp.Reply r = raw.read();
            assertNotNull(r, "a response before the close");
            assertEquals(c.status(), r.status(), r.body());
            assertTrue(r.body().contains("bad chunked framing"), r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(raw.closedByPeer(), "the server closes after refusing");
        }
        BadRequestsTest.awaitNoConnections(server);
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(DemoRoutes.PLAINTEXT, raw.send(RawHttp.get("/plaintext")).read().body());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("good")
    void validEdgeCasesAreEchoed(Backend backend, ChunkedCases.Good c) throws Exception {
        try (RawHttp raw = new RawHttp(servers.address(backend))) {
            raw.send(HEAD + c.body() + RawHttp.get("/plaintext")); // a pipelined request follows the body
            RawHttp.Reply r = raw.read();
            assertEquals(200, r.status());
            assertEquals(c.decoded(), r.body());
            assertEquals(DemoRoutes.PLAINTEXT, raw.read().body(), "the next request starts right after the body");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pollen.http.TestServers#backends")
    void theClientRefusesBadFramingWithAClearError(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).build();
             HttpClient client = HttpClient.create(rt)) {
            for (ChunkedCases.Bad c : ChunkedCases.bad()) {
                try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    int port = HttpClientTest.rawPeer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + c.body(), ss);
                    CompletionException e = assertThrows(CompletionException.class,
                            () -> client.get("http://127.0.0.1:" + port + "/").join(), c.name());
                    assertInstanceOf(HttpParseException.class, e.getCause(), c.name());
                    assertTrue(e.getCause().getMessage().startsWith("bad chunked framing: "), e.getCause().getMessage());
                }
            }
            for (ChunkedCases.Good c : ChunkedCases.good()) {
                try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    int port = HttpClientTest.rawPeer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + c.body(), ss);
                    assertEquals(c.decoded(), client.get("http://127.0.0.1:" + port + "/").join().bodyString(), c.name());
                }
            }
            rt.shutdown(Duration.ofSeconds(5));
        }
    }
}
