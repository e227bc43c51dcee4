package io.pollen.runtime;

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
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AsyncTcpListener} when accept fails with {@code EMFILE} (injected through a
 * package-private stand-in for the listener's accept): the waiting accept neither fails (an accept
 * loop that retries on failure would spin) nor is retried in a spin; it completes once
 * descriptors are free again.
 */
@Timeout(60)
class AcceptBackoffTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void emfileBacksOffAndResumes(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("emfile").build()) {
            EventLoop loop = rt.loops().getFirst();
            AsyncTcpListener server = AsyncTcpListener.bind(loop, Echo.localhost());
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            boolean[] failing = {true};
            CompletableFuture<Void> injected = new CompletableFuture<>();
            loop.execute(() -> {
                server.acceptWith(() -> {
                    if (failing[0]) {
                        calls.incrementAndGet();
                        throw new NativeIOException("accept4", 24, "EMFILE", "Too many open files");
                    }
                    return acceptReal(server);
                });
                injected.complete(null);
            });
            injected.get(10, TimeUnit.SECONDS);
            // The accept loop a user writes: on failure, accept again (which would spin if failures came back).
            CompletableFuture<AsyncTcpStream> accepted = new CompletableFuture<>();
            acceptUntilConnected(server, failures, accepted);
            try (Socket client = new Socket()) {
                client.connect(server.localAddress(), 5000);
                Thread.sleep(1200);
                int n = calls.get();
                assertTrue(n >= 3, "accept was retried: " + n);
                assertTrue(n < 60, n + " accept calls in ~1 s: that is a spin, not a back-off");
                assertEquals(0, failures.get(), "a waiting accept does not fail for EMFILE");
                assertFalse(accepted.isDone());

                loop.execute(() -> failing[0] = false);
                AsyncTcpStream s = accepted.get(10, TimeUnit.SECONDS);
                assertNotNull(s);
                s.close();
            }
            server.close();
        }
    }

    private static void acceptUntilConnected(AsyncTcpListener server, AtomicInteger failures,
                                             CompletableFuture<AsyncTcpStream> done) {
        server.accept().whenComplete((s, e) -> {
            if (e != null) {
                failures.incrementAndGet();
                acceptUntilConnected(server, failures, done);
            } else {
                done.complete(s);
            }
        });
    }

    /** The real accept, reached through the listener's field (the stand-in replaced it). */
    private static TcpStream acceptReal(AsyncTcpListener server) throws IOException {
        return server.listenerForTests().accept();
    }
}
