package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Runtime#onShutdown}: a participant is asked to drain with the time left, shutdown waits
 * for it within the deadline (and a little past it for a participant that closes at the deadline),
 * its failure or {@code false} makes the shutdown not graceful, and a removed one is not asked.
 */
@Timeout(60)
class ShutdownParticipantTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    private static Runtime runtime(Backend backend) {
        return Runtime.builder().backend(backend).threadNamePrefix("participant").build();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aParticipantIsAskedWithTheTimeLeftAndWaitedFor(Backend backend) {
        Runtime rt = runtime(backend);
        AtomicReference<Duration> given = new AtomicReference<>();
        AtomicInteger loopsAliveWhenDone = new AtomicInteger();
        rt.onShutdown(left -> {
            given.set(left);
            // Finishes later, on a loop: the loops still run while participants drain.
            return rt.next().sleep(Duration.ofMillis(200)).thenRun(() -> loopsAliveWhenDone.incrementAndGet());
        });
        assertTrue(rt.shutdown(Duration.ofSeconds(10)), "graceful");
        assertEquals(1, loopsAliveWhenDone.get());
        assertTrue(given.get().compareTo(Duration.ofSeconds(9)) > 0 && given.get().compareTo(Duration.ofSeconds(10)) <= 0,
                "the time left: " + given.get());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void falseOrAFailureIsNotGraceful(Backend backend) {
        Runtime a = runtime(backend);
        a.onShutdown(left -> CompletableFuture.completedFuture(Boolean.FALSE));
        assertFalse(a.shutdown(Duration.ofSeconds(5)));

        Runtime b = runtime(backend);
        b.onShutdown(left -> CompletableFuture.failedFuture(new IllegalStateException("drain failed")));
        assertFalse(b.shutdown(Duration.ofSeconds(5)));

        Runtime c = runtime(backend);
        c.onShutdown(left -> {
            throw new IllegalStateException("drain threw");
        });
        assertFalse(c.shutdown(Duration.ofSeconds(5)), "a throwing participant does not stop the shutdown");
        assertTrue(c.loops().stream().allMatch(EventLoop::isClosed));
    }

    /** A participant that closes what it has left at the deadline gets to finish before the loops stop. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aParticipantClosingAtTheDeadlineFinishesOnARunningLoop(Backend backend) {
        Runtime rt = runtime(backend);
        CompletableFuture<Boolean> ranOnLoop = new CompletableFuture<>();
        rt.onShutdown(left -> {
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            rt.next().schedule(left, () -> {
                ranOnLoop.complete(true);
                done.complete(false); // "forced"
            });
            return done;
        });
        assertFalse(rt.shutdown(Duration.ofMillis(200)));
        assertTrue(ranOnLoop.getNow(false), "the participant's deadline work ran before the loops stopped");
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aRemovedParticipantIsNotAsked(Backend backend) {
        Runtime rt = runtime(backend);
        AtomicInteger asked = new AtomicInteger();
        Runnable remove = rt.onShutdown(left -> {
            asked.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        remove.run();
        assertTrue(rt.shutdown(Duration.ofSeconds(5)));
        assertEquals(0, asked.get());
    }
}
