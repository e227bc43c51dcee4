package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bounded memory: large responses, echoed bodies and deep pipelines reuse the loop's pooled
 * buffers once warm (no direct allocation per response), what the pool does not keep is freed at
 * once, and a client that pipelines without reading stops being read until it reads.
 */
@Timeout(120)
class BoundedMemoryTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    /** A runtime of one loop and a demo server with {@code /bytes/{n}} and {@code /big/{i}}. */
    record Served(Runtime runtime, HttpServer server, AtomicInteger handled) implements AutoCloseable {
        static Served start(Backend backend, UnaryOperator<HttpServer.Builder> config) throws IOException {
            Runtime rt = Runtime.builder().backend(backend).loops(1).threadNamePrefix("memory-" + backend.id()).build();
            AtomicInteger handled = new AtomicInteger();
            try {
                HttpServer s = config.apply(DemoRoutes.install(HttpServer.builder())
                        .route("GET", "/bytes/{n}", req -> Response.of(200, "application/octet-stream",
                                new byte[Integer.parseInt(req.pathParam("n"))]))
                        .route("GET", "/big/{i}", req -> {
                            handled.incrementAndGet();
                            return Response.of(200, "text/plain", numbered(req.pathParam("i")));
                        })).start(rt);
                return new Served(rt, s, handled);
            } catch (IOException | RuntimeException e) {
                rt.shutdown(Duration.ofSeconds(5));
                throw e;
            }
        }

        @Override
        public void close() {
            server.close();
            BufferStats closed = server.bufferStats();
            runtime.shutdown(Duration.ofSeconds(5));
            assertEquals(closed.allocations(), closed.frees(), "closing the server freed every buffer: " + closed);
            assertEquals(0, closed.bytesHeld());
        }
    }

    static final int BIG = 60 * 1024;

    static byte[] numbered(String i) {
        byte[] b = new byte[BIG];
        Arrays.fill(b, (byte) '.');
        byte[] n = i.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, b, 0, n.length);
        return b;
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void largeResponsesAndEchoesReuseBuffersOnceWarm(Backend backend) throws Exception {
        String echo = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\n\r\n" + "e".repeat(20_000);
        String[] requests = {RawHttp.get("/bytes/65536"), RawHttp.get("/bytes/1048576"), echo};
        int[] lengths = {65536, 1048576, 20_000};
        try (Served s = Served.start(backend, b -> b); RawHttp c = new RawHttp(s.server().localAddress())) {
            BufferStats[] st = warmThenMeasure(s.server(), 3, 10, () -> exchange(c, requests, lengths));
            assertTrue(st[1].hits() - st[0].hits() >= 30, "each response took pooled buffers: " + st[1]);
            assertEquals(st[1].returns() - st[0].returns(), st[1].hits() - st[0].hits(), "every buffer came back");
        }
    }

    interface Work {
        void run() throws IOException;
    }

    /**
     * Runs {@code work} {@code warmUp} times, then {@code rounds} more, and asserts that the later
     * rounds allocated and freed no buffer; returns the counters before and after them.
     */
    private static BufferStats[] warmThenMeasure(HttpServer server, int warmUp, int rounds, Work work) throws IOException {
        for (int i = 0; i < warmUp; i++) {
            work.run();
        }
        BufferStats warm = server.bufferStats();
        long direct = directMemoryUsed();
        for (int i = 0; i < rounds; i++) {
            work.run();
        }
        BufferStats after = server.bufferStats();
        assertEquals(warm.allocations(), after.allocations(), "no new buffer once warm: " + warm + " -> " + after);
        // Whatever allocates direct memory in this JVM (allocateDirect or a native segment) shows
        // here, so a buffer made outside the pool would too. The slack covers the JDK's own
        // temporary buffers for the test's blocking socket.
        long grown = directMemoryUsed() - direct;
        assertTrue(grown < 4 << 20, "direct memory grew by " + grown + " bytes once warm");
        assertEquals(warm.frees(), after.frees(), "nothing freed and reallocated either");
        assertTrue(after.hits() > warm.hits(), "pooled buffers were used: " + after);
        return new BufferStats[]{warm, after};
    }

    private static void exchange(RawHttp c, String[] requests, int[] lengths) throws IOException {
        for (int k = 0; k < requests.length; k++) {
            RawHttp.Reply r = c.send(requests[k]).read();
            assertEquals(200, r.status());
            assertEquals(lengths[k], r.body().length());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pipelinedBatchesReuseBuffersOnceWarm(Backend backend) throws Exception {
        String batch = RawHttp.get("/plaintext").repeat(256);
        String bigBatch = RawHttp.get("/bytes/4096").repeat(256); // 1 MiB of answers: paused and resumed
        try (Served s = Served.start(backend, b -> b); RawHttp c = new RawHttp(s.server().localAddress())) {
            warmThenMeasure(s.server(), 2, 5, () -> pipeline(c, batch, bigBatch));
        }
    }

    private static void pipeline(RawHttp c, String batch, String bigBatch) throws IOException {
        c.send(batch);
        for (int i = 0; i < 256; i++) {
            assertEquals(DemoRoutes.PLAINTEXT, c.read().body());
        }
        c.send(bigBatch);
        for (int i = 0; i < 256; i++) {
            assertEquals(4096, c.read().body().length());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void whatThePoolDoesNotKeepIsFreedAtOnce(Backend backend) throws Exception {
        try (Served s = Served.start(backend, b -> b.pooledBufferBytes(0));
             RawHttp c = new RawHttp(s.server().localAddress())) {
            for (int i = 0; i < 5; i++) {
                assertEquals(65536, c.send(RawHttp.get("/bytes/65536")).read().body().length());
            }
            BufferStats st = s.server().bufferStats();
            assertEquals(0, st.bytesHeld(), "a pool capped at 0 keeps nothing");
            assertEquals(st.allocations(), st.frees(), "every buffer was freed when given back: " + st);
            assertEquals(0, st.bytesInUse());
        }
    }

    /**
     * 200 pipelined requests for 60 KiB answers (12 MiB, more than socket buffers hold) from a
     * client that does not read: the server stops reading and parsing, holding no more than the
     * bound plus one response; once the client reads, every answer arrives, in order.
     */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aClientThatDoesNotReadIsNotReadEither(Backend backend) throws Exception {
        int n = 200;
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < n; i++) {
            // padded, so that part of the batch stays in the socket and part in the read buffer
            requests.append("GET /big/").append(i).append(" HTTP/1.1\r\nHost: t\r\nX-Pad: ")
                    .append("p".repeat(200)).append("\r\n\r\n");
        }
        int bound = 48 * 1024;
        try (Served s = Served.start(backend, b -> b.unsentOutputBound(bound, 16 * 1024));
             RawHttp c = new RawHttp(s.server().localAddress())) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    c.send(requests.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            int stable = awaitStable(s.handled());
            assertTrue(stable < n, "the server stopped taking requests (" + stable + " of " + n + ")");
            BufferStats paused = s.server().bufferStats();
            // The unsent output (bound + one response < 128 KiB) plus one 16 KiB read buffer:
            // buffers of those classes are all a paused connection holds.
            assertTrue(paused.bytesInUse() <= 128 * 1024 + 16 * 1024, "held while paused: " + paused);
            assertEquals(stable, s.handled().get(), "nothing handled while the client does not read");
            for (int i = 0; i < n; i++) {
                RawHttp.Reply r = c.read();
                assertEquals(200, r.status());
                assertEquals(BIG, r.body().length());
                String prefix = Integer.toString(i);
                assertEquals(prefix + ".", r.body().substring(0, prefix.length() + 1), "answer " + i + " in order");
            }
            sent.get(10, TimeUnit.SECONDS);
            assertEquals(n, s.handled().get());
            assertEquals("Hello, World!", c.send(RawHttp.get("/plaintext")).read().body(), "still serving");
        }
    }

    /**
     * The JVM's "direct" buffer pool figure ({@code BufferPoolMXBean}), looked up reflectively:
     * test classes compile into the {@code io.pollen.http} module, which does not read
     * java.management.
     */
    private static long directMemoryUsed() {
        try {
            Class<?> type = Class.forName("java.lang.management.BufferPoolMXBean");
            List<?> pools = (List<?>) Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getPlatformMXBeans", Class.class).invoke(null, type);
            for (Object pool : pools) {
                if ("direct".equals(type.getMethod("getName").invoke(pool))) {
                    return (long) type.getMethod("getMemoryUsed").invoke(pool);
                }
            }
            throw new AssertionError("no direct buffer pool bean");
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read the direct buffer pool bean", e);
        }
    }

    /** A paused non-reader that resets its connection: the server closes it and gets its buffers back. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aPausedConnectionThatHangsUpIsReleased(Backend backend) throws Exception {
        try (Served s = Served.start(backend, b -> b.unsentOutputBound(48 * 1024, 16 * 1024))) {
            RawHttp c = new RawHttp(s.server().localAddress());
            c.send(bigRequests(0, 200));
            assertTrue(awaitStable(s.handled()) < 200, "paused");
            assertTrue(s.server().bufferStats().bytesInUse() > 0, "the paused connection holds its output");
            c.socket.setSoLinger(true, 0); // close with a reset
            c.close();
            BadRequestsTest.awaitNoConnections(s.server());
            BufferStats after = s.server().bufferStats();
            assertEquals(0, after.bytesInUse(), "every buffer went back: " + after);
            try (RawHttp d = new RawHttp(s.server().localAddress())) {
                assertEquals(DemoRoutes.PLAINTEXT, d.send(RawHttp.get("/plaintext")).read().body());
            }
        }
    }

    /** Closing the server while a connection is paused with output waiting frees every buffer. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void closingTheServerMidPipelineFreesEverything(Backend backend) throws Exception {
        try (Served s = Served.start(backend, b -> b.unsentOutputBound(48 * 1024, 16 * 1024));
             RawHttp c = new RawHttp(s.server().localAddress())) {
            c.send(bigRequests(0, 200));
            assertTrue(awaitStable(s.handled()) < 200, "paused");
            assertTrue(s.server().bufferStats().bytesInUse() > 0);
            s.server().close();
            BufferStats closed = s.server().bufferStats();
            assertEquals(closed.allocations(), closed.frees(), "every buffer freed: " + closed);
            assertEquals(0, closed.bytesInUse());
            c.readAll(); // what was sent, then the end of the stream (or a reset)
        }
    }

    private static String bigRequests(int from, int to) {
        StringBuilder requests = new StringBuilder();
        for (int i = from; i < to; i++) {
            requests.append("GET /big/").append(i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
        }
        return requests.toString();
    }

    /** Waits until the count has not moved for half a second; returns it. */
    private static int awaitStable(AtomicInteger count) throws InterruptedException {
        int last = -1;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            int now = count.get();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
            Thread.sleep(500);
        }
        return count.get();
    }
}
