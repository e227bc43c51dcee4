package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.testing.Fds;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random bytes and mutated valid requests, sent in random pieces, never crash the server, never
 * hang it (each case is bounded by socket timeouts and the server must still answer a normal
 * request right after), and never leak a connection or an fd.
 */
class RandomRequestsPropertyTest {
    static Fds.Snapshot fds;
    static TestServers servers;
    static List<Backend> backends;

    @BeforeContainer
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
        servers = new TestServers(1, b -> b.limits(512, 1024, 16, 2048)
                .headerTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofMillis(500)));
        backends = TestServers.backends().toList();
    }

    @AfterContainer
    static void after() throws Exception {
        for (Backend b : backends) {
            TestServers.awaitNoConnections(servers.server(b));
        }
        servers.close();
        fds.assertNoLeak();
    }

    static final String[] TEMPLATES = {
        "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "GET /delay/1/x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "HEAD /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    };

    @Provide
    Arbitrary<byte[]> requests() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(600);
        Arbitrary<byte[]> mutated = Combinators.combine(
                Arbitraries.of(TEMPLATES),
                Arbitraries.integers().between(1, 6),
                Arbitraries.longs()
        ).as((t, n, seed) -> mutate(t.repeat(1 + (int) Math.floorMod(seed, 3L)).getBytes(StandardCharsets.ISO_8859_1), n, seed));
        return Arbitraries.oneOf(random, mutated, mutated, mutated);
    }

    static byte[] mutate(byte[] b, int count, long seed) {
        java.util.Random r = new java.util.Random(seed);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(b);
        byte[] cur = out.toByteArray();
        for (int i = 0; i < count && cur.length > 0; i++) {
            int at = r.nextInt(cur.length);
            java.io.ByteArrayOutputStream next = new java.io.ByteArrayOutputStream();
            switch (r.nextInt(5)) {
                case 0 -> { cur[at] = (byte) r.nextInt(256); next.writeBytes(cur); }                    // flip
                case 1 -> { next.write(cur, 0, at); next.write(r.nextInt(256)); next.write(cur, at, cur.length - at); } // insert
                case 2 -> { next.write(cur, 0, at); next.write(cur, at + 1, cur.length - at - 1); }    // delete
                case 3 -> { next.write(cur, 0, at); }                                                    // truncate
                default -> { next.write(cur, 0, at); next.write(cur, at, Math.min(40, cur.length - at)); next.write(cur, at, cur.length - at); } // duplicate
            }
            cur = next.toByteArray();
        }
        return cur;
    }

    @Property(tries = 150)
    void randomAndMutatedRequestsNeverBreakTheServer(@ForAll("requests") byte[] request,
                                                     @ForAll java.util.Random pieces) throws Exception {
        for (Backend backend : backends) {
            HttpServer server = servers.server(backend);
            try (Socket s = new Socket()) {
                s.connect(server.localAddress(), 5000);
                s.setSoTimeout(1000);
                int at = 0;
                try {
                    while (at < request.length) {
                        int n = Math.min(request.length - at, 1 + pieces.nextInt(64));
                        s.getOutputStream().write(request, at, n);
                        at += n;
                    }
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    long deadline = System.nanoTime() + 3_000_000_000L;
                    while (System.nanoTime() < deadline && in.read(buf) >= 0) {
                        // whatever the server answers; it must end (close or timeout) in bounded time
                    }
                } catch (SocketTimeoutException e) {
                    // an incomplete request: the server waits for more, we give up
                } catch (IOException e) {
                    // reset by the server after refusing: fine
                }
            }
            try (RawHttp c = new RawHttp(server.localAddress())) {
                assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body(), "server still serves");
            }
        }
    }
}
