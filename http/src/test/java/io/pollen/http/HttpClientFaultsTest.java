package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.testing.Fds;
import io.pollen.testing.ScriptedPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The client against hostile scripted servers: an endless run of 1xx responses, a response
 * trickled a byte at a time, one that stalls, impossible status codes, ambiguous framing. Each
 * must end with an error that says what happened, within the deadline (checked with a generous
 * outer bound, never as a speed figure), and the connection must be closed, not pooled.
 */
@Timeout(120)
class HttpClientFaultsTest {
    /** The outer bound: far above every deadline used here; reaching it means the client hung. */
    private static final int BOUND_SECONDS = 20;
    static Fds.Snapshot fds;
    static TestServers servers;

    @BeforeAll
    static void before() throws Exception {
        TestServers.warmUp();
        fds = Fds.snapshot();
        servers = new TestServers(1, b -> b);
    }

    @AfterAll
    static void after() {
        servers.close();
        fds.assertNoLeak();
    }

    /** The request's failure, waited for with the outer bound; fails the test if it succeeded. */
    static Throwable failure(CompletableFuture<HttpResponse> f) throws Exception {
        try {
            HttpResponse r = f.get(BOUND_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + r.status() + " " + r.bodyString());
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    static void assertClosedNotPooled(ScriptedPeer server, HttpClient client) throws Exception {
        assertTrue(server.clientClosed().get(BOUND_SECONDS, TimeUnit.SECONDS), "the client closed the connection");
        assertEquals(0, client.idleConnections(), "a failed connection is not pooled");
    }

    static Runtime runtime(Backend b) throws IOException {
        servers.server(b);
        return servers.runtime(b);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void anEndlessStreamOf1xxIsCutOff(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.create(runtime(backend));
             ScriptedPeer server = new ScriptedPeer(BOUND_SECONDS, out -> {
                 for (int i = 0; i < 10_000; i++) {
                     ScriptedPeer.send(out, "HTTP/1.1 100 Continue\r\n\r\n");
                     Thread.sleep(5);
                 }
             })) {
            Throwable e = failure(client.get(server.url()));
            assertInstanceOf(IOException.class, e);
            assertTrue(e.getMessage().startsWith("too many 1xx responses"), e.getMessage());
            assertClosedNotPooled(server, client);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void slow1xxResponsesCountAgainstTheDeadline(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.builder(runtime(backend)).requestTimeout(Duration.ofSeconds(1)).build();
             ScriptedPeer server = new ScriptedPeer(BOUND_SECONDS, out -> {
                 for (int i = 0; i < 100; i++) {
                     ScriptedPeer.send(out, "HTTP/1.1 102 Processing\r\n\r\n");
                     Thread.sleep(400); // fewer than the cap within the deadline; each read succeeds
                 }
             })) {
            Throwable e = failure(client.get(server.url()));
            assertInstanceOf(java.util.concurrent.TimeoutException.class, e);
            assertTrue(e.getMessage().startsWith("response not complete within 1 s (the request deadline)"), e.getMessage());
            assertClosedNotPooled(server, client);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aTrickledResponseEndsAtTheDeadline(Backend backend) throws Exception {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100);
        // The builder's deadline is long; this request's own one-second deadline is what ends it.
        try (HttpClient client = HttpClient.builder(runtime(backend)).requestTimeout(Duration.ofMinutes(10)).build();
             ScriptedPeer server = new ScriptedPeer(BOUND_SECONDS, out -> {
                 for (byte b : response.getBytes(StandardCharsets.ISO_8859_1)) {
                     out.write(b);
                     out.flush();
                     Thread.sleep(200);
                 }
             })) {
            Throwable e = failure(client.send("GET", URI.create(server.url()), HttpHeaders.EMPTY, null, Duration.ofSeconds(1)));
            assertInstanceOf(java.util.concurrent.TimeoutException.class, e);
            assertTrue(e.getMessage().matches("response not complete within 1 s \\(the request deadline\\): stalled after \\d+ bytes"),
                    e.getMessage());
            assertClosedNotPooled(server, client);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aStalledResponseSaysHowFarItCame(Backend backend) throws Exception {
        String part = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst";
        try (HttpClient client = HttpClient.builder(runtime(backend)).readTimeout(Duration.ofMillis(300)).build();
             ScriptedPeer server = new ScriptedPeer(BOUND_SECONDS, out -> ScriptedPeer.send(out, part))) { // then nothing: waits for the close
            Throwable e = failure(client.get(server.url()));
            assertInstanceOf(java.util.concurrent.TimeoutException.class, e);
            assertEquals("response stalled after " + part.length() + " bytes: nothing more for 300 ms (read timeout)",
                    e.getMessage());
            assertClosedNotPooled(server, client);
        }
        try (HttpClient client = HttpClient.builder(runtime(backend)).requestTimeout(Duration.ofMillis(500)).build();
             ScriptedPeer silent = new ScriptedPeer(BOUND_SECONDS, out -> { })) {
            Throwable e = failure(client.get(silent.url()));
            assertEquals("no response within 500 ms (the request deadline)", e.getMessage());
            assertClosedNotPooled(silent, client);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void impossibleStatusCodesAreRejected(Backend backend) throws Exception {
        String[][] cases = {{"999", "status code 999 out of range 100-599"}, {"42 ", "malformed status code"},
                {"abc", "malformed status code"}, {"600", "status code 600 out of range 100-599"}};
        try (HttpClient client = HttpClient.create(runtime(backend))) {
            for (String[] c : cases) {
                try (ScriptedPeer server = new ScriptedPeer(BOUND_SECONDS, out -> ScriptedPeer.send(out, "HTTP/1.1 " + c[0] + " Odd\r\nContent-Length: 0\r\n\r\n"))) {
                    Throwable e = failure(client.get(server.url()));
                    assertInstanceOf(IOException.class, e, c[0]);
                    assertTrue(e.getMessage().startsWith(c[1]), c[0] + ": " + e.getMessage());
                    assertClosedNotPooled(server, client);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void contentLengthWithTransferEncodingIsRejected(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.create(runtime(backend));
             ScriptedPeer server = new ScriptedPeer(BOUND_SECONDS, out -> ScriptedPeer.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                     + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))) {
            Throwable e = failure(client.get(server.url()));
            assertInstanceOf(IOException.class, e);
            assertEquals("response has both Content-Length and Transfer-Encoding", e.getMessage());
            assertClosedNotPooled(server, client);
        }
    }

    /** Limits far beyond what fits in {@code long} nanoseconds mean "no limit", not an overflow. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void timeoutsAtLongMaxValueMeanForever(Backend backend) throws Exception {
        String url = "http://127.0.0.1:" + servers.server(backend).port() + "/delay/50/ok";
        for (Duration forever : new Duration[]{Duration.ofMillis(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE),
                Duration.ofNanos(Long.MAX_VALUE)}) {
            try (HttpClient client = HttpClient.builder(runtime(backend)).connectTimeout(forever).readTimeout(forever)
                    .requestTimeout(forever).idleTimeout(forever).build()) {
                assertEquals("ok", client.get(url).get(BOUND_SECONDS, TimeUnit.SECONDS).bodyString(), forever.toString());
                assertEquals("ok", client.get(url).get(BOUND_SECONDS, TimeUnit.SECONDS).bodyString(), "pooled, " + forever);
                assertEquals("ok", client.send("GET", URI.create(url), HttpHeaders.EMPTY, null, forever)
                        .get(BOUND_SECONDS, TimeUnit.SECONDS).bodyString());
            }
        }
    }
}
