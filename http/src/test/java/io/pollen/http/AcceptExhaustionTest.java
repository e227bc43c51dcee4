package io.pollen.http;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.sys.NativeIOException;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accept failing with {@code EMFILE} (injected: the loop's accept is replaced by one that throws
 * the native error), on every backend: accepting backs off instead of spinning, one warning for
 * the episode (it goes to the log, through LastResort), and accepting resumes by itself — the client queued meanwhile is served.
 */
@Timeout(60)
class AcceptExhaustionTest {
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

    /** The listener's accept, failing with EMFILE while {@link #failing}; counts the calls. */
    static final class InjectedEmfile implements AcceptGuard.Acceptor {
        final AcceptGuard.Acceptor real;
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean failing = true;

        InjectedEmfile(AcceptGuard.Acceptor real) {
            this.real = real;
        }

        @Override
        public TcpStream accept() throws IOException {
            if (failing) {
                calls.incrementAndGet();
                throw new NativeIOException("accept4", 24, "EMFILE", "Too many open files");
            }
            return real.accept();
        }
    }

    static InjectedEmfile inject(HttpServer server) throws Exception {
        ServerLoop sl = server.serverLoops().getFirst();
        InjectedEmfile seam = new InjectedEmfile(sl.listener()::accept);
        CompletableFuture<Void> done = new CompletableFuture<>();
        sl.loop().execute(() -> {
            sl.acceptWith(seam);
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
        return seam;
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void backsOffWarnsOnceAndResumesByItself(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        InjectedEmfile seam = inject(server);
        AcceptGuard guard = server.serverLoops().getFirst().guard();
        try (RawHttp queued = new RawHttp(server.localAddress());
             RawHttp second = new RawHttp(server.localAddress())) {
            queued.send(RawHttp.get("/plaintext"));
            long start = System.nanoTime();
            Thread.sleep(1500);
            second.send(RawHttp.get("/plaintext")); // another arrival during the episode: no new warning
            Thread.sleep(300);
            double seconds = (System.nanoTime() - start) / 1e9;
            int calls = seam.calls.get();
            // Back-off from 10 ms doubling to 1 s: a dozen or two tries in ~2 s; a spin would be millions.
            assertTrue(calls >= 3, "accept was retried: " + calls);
            assertTrue(calls < 60, calls + " accept calls in " + seconds + " s: that is a spin, not a back-off");
            assertEquals(1, guard.warnings(), "one warning for the episode");
            queued.socket.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, () -> queued.socket.getInputStream().read(),
                    "nothing answers the queued client while accept fails");
            queued.socket.setSoTimeout(10_000);

            seam.failing = false; // descriptors are free again
            assertEquals("Hello, World!", queued.read().body(), "the queued client is served once accept works");
            assertEquals("Hello, World!", second.read().body());
            assertEquals(1, guard.warnings(), "no more warnings");
        }
        try (RawHttp later = new RawHttp(server.localAddress())) {
            assertEquals(200, later.send(RawHttp.get("/plaintext")).read().status(), "accepting as usual");
        }
        BadRequestsTest.awaitNoConnections(server);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void closedConnectionRetriesAPausedAccept(Backend backend) throws Exception {
        HttpServer server = servers.server(backend);
        try (RawHttp holder = new RawHttp(server.localAddress())) {
            assertEquals(200, holder.send(RawHttp.get("/plaintext")).read().status());
            InjectedEmfile seam = inject(server);
            try (RawHttp queued = new RawHttp(server.localAddress())) {
                queued.send(RawHttp.get("/plaintext"));
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (seam.calls.get() < 12 && System.nanoTime() < deadline) {
                    Thread.sleep(10); // until the back-off has grown long
                }
                int before = seam.calls.get();
                seam.failing = false;
                holder.close(); // frees a descriptor: the paused accept is retried now
                assertEquals("Hello, World!", queued.read().body());
                assertTrue(seam.calls.get() >= before);
            }
        }
        BadRequestsTest.awaitNoConnections(server);
    }
}
