package io.pollen.runtime;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop itself: phases, tasks, budget, errors, cross-thread execution, driving by the caller. */
@Timeout(60)
class EventLoopTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void runOnceRunsQueuedTasksInOrder(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                loop.execute(() -> seen.add(n));
            }
            assertTrue(seen.isEmpty(), "execute never runs inline");
            loop.runOnce(Duration.ZERO);
            assertEquals(List.of(0, 1, 2, 3, 4), seen);
            assertTrue(loop.inLoop());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void blockOnDrivesTheLoopUntilTheTaskEnds(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            int v = loop.blockOn(() -> loop.sleep(Duration.ofMillis(2)).thenApply(x -> {
                assertSame(loop, EventLoop.current());
                return 42;
            }));
            assertEquals(42, v);
            assertNull(EventLoop.current(), "current() is null off the loop's iterations");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void executeFromOtherThreadsWakesABlockedLoop(Backend backend) throws Exception {
        Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("wake-test").build();
        try {
            EventLoop loop = rt.next();
            int threads = 4, each = 1000;
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(threads * each);
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        loop.execute(() -> {
                            assertTrue(loop.inLoop());
                            ran.incrementAndGet();
                            done.countDown();
                        });
                    }
                }));
            }
            for (Thread p : producers) {
                p.join();
            }
            assertTrue(done.await(20, TimeUnit.SECONDS), "every task ran; ran=" + ran.get());
            // And a lone wake-up after the loop went idle in poll:
            Thread.sleep(20);
            CompletableFuture<String> f = new CompletableFuture<>();
            loop.execute(() -> f.complete(Thread.currentThread().getName()));
            assertEquals("wake-test-loop-0", f.get(10, TimeUnit.SECONDS));
        } finally {
            assertTrue(rt.shutdown(Duration.ofSeconds(5)));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anInterruptOfTheLoopThreadIsReportedAndCleared(Backend backend) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("interrupt-test")
                .errorHandler((l, t) -> errors.add(t)).build()) {
            EventLoop loop = rt.next();
            // As a library does that restores the status after catching InterruptedException.
            rt.blockOn(() -> {
                Thread.currentThread().interrupt();
                return CompletableFuture.completedFuture(null);
            });
            // A timer needs a poll that blocks; with the status still set, nio's would not.
            boolean stillInterrupted = rt.blockOn(() -> loop.sleep(Duration.ofMillis(20))
                    .thenApply(v -> Thread.currentThread().isInterrupted()));
            assertFalse(stillInterrupted, "the loop cleared its thread's interrupt status");
            assertEquals(1, errors.size(), errors.toString());
            assertInstanceOf(IllegalStateException.class, errors.getFirst());
            assertTrue(errors.getFirst().getMessage().contains("interrupt-test-loop-0 was interrupted"),
                    errors.getFirst().getMessage());
            assertFalse(loop.isClosed(), "an interrupt does not stop the loop");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aFailingTaskGoesToTheErrorHandlerAndTheLoopGoesOn(Backend backend) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch reported = new CountDownLatch(3);
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("fail-test")
                .errorHandler((l, t) -> {
                    errors.add(t);
                    reported.countDown();
                }).build()) {
            EventLoop loop = rt.next();
            // Nobody observes these handles when they fail: the failures are "uncaught".
            JoinHandle<Integer> bad = loop.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            JoinHandle<Integer> badLater = loop.spawn(() -> loop.sleep(Duration.ofMillis(1))
                    .thenApply(v -> { throw new IllegalArgumentException("later boom"); }));
            loop.execute(() -> { throw new UnsupportedOperationException("a plain task"); });
            assertTrue(reported.await(10, TimeUnit.SECONDS), errors.toString());
            assertTrue(errors.stream().anyMatch(t -> t instanceof UnsupportedOperationException), errors.toString());
            assertTrue(errors.stream().anyMatch(t -> t instanceof IllegalStateException), errors.toString());
            assertTrue(errors.stream().anyMatch(t -> t instanceof IllegalArgumentException), errors.toString());
            // The handles still carry the failures.
            assertInstanceOf(IllegalStateException.class, assertThrows(ExecutionException.class, bad::get).getCause());
            assertInstanceOf(IllegalArgumentException.class,
                    assertThrows(ExecutionException.class, badLater::get).getCause());
            // And the loop still runs tasks afterwards.
            assertEquals("fine", rt.blockOn(() -> CompletableFuture.completedFuture("fine")));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anObservedFailureIsNotReportedAsUncaught(Backend backend) throws Exception {
        List<Throwable> errors = new ArrayList<>();
        try (EventLoop loop = EventLoop.create("observed", backend, Ticker.system(), (l, t) -> errors.add(t), 64, 0)) {
            JoinHandle<Integer> h = loop.spawn(() -> CompletableFuture.failedFuture(new IllegalStateException("seen")));
            CompletableFuture<String> seen = h.handle((v, e) -> e.getClass().getSimpleName());
            loop.runOnce(Duration.ZERO);
            assertEquals("IllegalStateException", seen.getNow(null));
            assertTrue(errors.isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aCpuBoundTaskThatYieldsLetsOthersProgress(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            List<String> finished = new ArrayList<>();
            AtomicInteger chunks = new AtomicInteger();
            JoinHandle<Void> busy = loop.spawn(() -> crunch(loop, 200, chunks).thenRun(() -> finished.add("busy")));
            JoinHandle<Void> timer = loop.spawn(() -> loop.sleep(Duration.ofMillis(1)).thenRun(() -> finished.add("timer")));
            JoinHandle<Void> quick = loop.spawn(() -> loop.yieldNow().thenRun(() -> finished.add("quick")));
            while (!(busy.isDone() && timer.isDone() && quick.isDone())) {
                loop.runOnce(Duration.ofMillis(1));
            }
            assertEquals(200, chunks.get());
            assertEquals("busy", finished.getLast(), "the others finished while busy was still crunching: " + finished);
            assertEquals(3, finished.size());
        }
    }

    /** A CPU-bound task: {@code n} chunks of work, yielding between chunks. */
    private static CompletableFuture<Void> crunch(EventLoop loop, int n, AtomicInteger chunks) {
        long x = 0;
        for (int i = 0; i < 20_000; i++) {
            x += Long.numberOfTrailingZeros(i * 31L + x);
        }
        if (chunks.incrementAndGet() >= n || x == 42) {
            return CompletableFuture.completedFuture(null);
        }
        return loop.yieldNow().thenCompose(v -> crunch(loop, n, chunks));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void theBudgetBoundsTasksPerIteration(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < EventLoop.DEFAULT_BUDGET * 2 + 3; i++) {
                loop.execute(ran::incrementAndGet);
            }
            loop.runOnce(Duration.ZERO);
            assertEquals(EventLoop.DEFAULT_BUDGET, ran.get());
            loop.runOnce(Duration.ZERO);
            loop.runOnce(Duration.ZERO);
            assertEquals(EventLoop.DEFAULT_BUDGET * 2 + 3, ran.get());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void blockingOnAHandleOnItsOwnLoopIsRefused(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            JoinHandle<Integer> h = loop.spawn(() -> new CompletableFuture<>());
            assertThrows(IllegalStateException.class, h::join);
            assertTrue(h.cancel(true));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aClosedLoopRejectsWork(Backend backend) throws Exception {
        EventLoop loop = EventLoop.open(backend);
        JoinHandle<Object> pending = loop.spawn(CompletableFuture::new);
        loop.runOnce(Duration.ZERO);
        loop.close();
        assertTrue(loop.isClosed());
        assertTrue(pending.isCancelled(), "closing a loop cancels its tasks");
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        JoinHandle<Object> late = loop.spawn(CompletableFuture::new);
        assertInstanceOf(RejectedExecutionException.class,
                assertThrows(ExecutionException.class, late::get).getCause());
        assertFalse(loop.toString().isEmpty());
    }
}
