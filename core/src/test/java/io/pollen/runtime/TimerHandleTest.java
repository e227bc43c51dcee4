package io.pollen.runtime;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timers: sleep, schedule, interval, timeout, cancellation, FIFO ties, a manual clock. */
@Timeout(60)
class TimerHandleTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void equalDeadlinesFireInSchedulingOrder(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker();
        try (EventLoop loop = EventLoop.open(backend, clock)) {
            List<Integer> fired = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                loop.schedule(Duration.ofMillis(5), () -> fired.add(n));
            }
            loop.runOnce(Duration.ZERO);
            assertTrue(fired.isEmpty(), "nothing is due before the clock moves");
            clock.advance(Duration.ofMillis(5));
            loop.runOnce(Duration.ZERO);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add(i);
            }
            assertEquals(expected, fired);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void timersFireInDeadlineOrderAsTheClockAdvances(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker(-1_000_000); // negative readings are fine too
        try (EventLoop loop = EventLoop.open(backend, clock)) {
            List<Long> fired = new ArrayList<>();
            Random rnd = new Random(7);
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                long d = rnd.nextInt(1000);
                delays.add(d);
                loop.schedule(Duration.ofNanos(d * 1000), () -> fired.add(d));
            }
            for (int step = 0; step < 1000; step += 10) {
                clock.advanceNanos(10_000);
                loop.runOnce(Duration.ZERO);
                for (long d : fired) {
                    assertTrue(d <= step + 10, "fired early: " + d + " at step " + step);
                }
            }
            delays.sort(null);
            assertEquals(delays, fired);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aCancelledTimerNeverFires(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker();
        try (EventLoop loop = EventLoop.open(backend, clock)) {
            List<Integer> fired = new ArrayList<>();
            List<TimerHandle> handles = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                handles.add(loop.schedule(Duration.ofSeconds(1 + i % 7), () -> fired.add(n)));
            }
            for (int i = 0; i < 1000; i++) {
                if (i % 3 != 0) {
                    assertTrue(handles.get(i).cancel());
                    assertFalse(handles.get(i).cancel(), "cancel is idempotent");
                    assertTrue(handles.get(i).isCancelled());
                }
            }
            assertEquals(334, loop.timers().size(), "the queue compacts cancelled timers");
            clock.advance(Duration.ofSeconds(10));
            loop.runOnce(Duration.ZERO);
            assertEquals(334, fired.size());
            assertTrue(fired.stream().allMatch(n -> n % 3 == 0));
            assertFalse(handles.getFirst().cancel(), "a fired timer cannot be cancelled");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anIntervalRepeatsUntilCancelled(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker();
        try (EventLoop loop = EventLoop.open(backend, clock)) {
            int[] ticks = {0};
            TimerHandle h = loop.interval(Duration.ofMillis(10), () -> ticks[0]++);
            assertTrue(h.isPeriodic());
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofMillis(10));
                loop.runOnce(Duration.ZERO);
            }
            assertEquals(5, ticks[0]);
            // Falling far behind does not fire a burst of missed ticks.
            clock.advance(Duration.ofMillis(100));
            loop.runOnce(Duration.ZERO);
            assertEquals(6, ticks[0]);
            h.cancel();
            clock.advance(Duration.ofMillis(50));
            loop.runOnce(Duration.ZERO);
            assertEquals(6, ticks[0]);
            assertThrows(IllegalArgumentException.class, () -> loop.interval(Duration.ZERO, () -> { }));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void sleepCompletesWhenTheClockSaysSoAndCanBeCancelled(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker();
        try (EventLoop loop = EventLoop.open(backend, clock)) {
            CompletableFuture<Void> s = loop.sleep(Duration.ofHours(1));
            CompletableFuture<Void> cancelled = loop.sleep(Duration.ofHours(1));
            assertTrue(cancelled.cancel(false));
            loop.runOnce(Duration.ZERO);
            assertFalse(s.isDone());
            clock.advance(Duration.ofMinutes(59));
            loop.runOnce(Duration.ZERO);
            assertFalse(s.isDone());
            clock.advance(Duration.ofMinutes(1));
            loop.runOnce(Duration.ZERO);
            assertTrue(s.isDone());
            assertEquals(0, loop.timers().size(), "the cancelled sleep's timer is gone");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void advancingTheClockWakesALoopBlockedInPoll(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker();
        try (Runtime rt = Runtime.builder().backend(backend).clock(clock).threadNamePrefix("clock-test").build()) {
            CompletableFuture<Void> s = rt.next().sleep(Duration.ofDays(1));
            Thread.sleep(20); // let the loop park with a one-day timeout
            clock.advance(Duration.ofDays(1));
            s.get(10, TimeUnit.SECONDS);
            // And without the pause: an advance that lands while the loop is still computing its
            // wait must not be slept through either.
            for (int round = 0; round < 2_000; round++) {
                CompletableFuture<Void> next = rt.next().sleep(Duration.ofDays(1));
                clock.advance(Duration.ofDays(1));
                next.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void realTimersFireAfterTheirDelay(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            long start = System.nanoTime();
            loop.blockOn(() -> loop.sleep(Duration.ofNanos(300_000)));
            assertTrue(System.nanoTime() - start >= 300_000, "never early");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void timeoutFailsWithTimeoutExceptionAndCancelsTheStage(Backend backend) throws Exception {
        ManualTicker clock = new ManualTicker();
        try (EventLoop loop = EventLoop.open(backend, clock)) {
            CompletableFuture<String> never = new CompletableFuture<>();
            CompletableFuture<String> limited = loop.timeout(never, Duration.ofSeconds(3));
            CompletableFuture<String> fast = loop.timeout(CompletableFuture.completedFuture("ok"), Duration.ofSeconds(3));
            assertEquals("ok", fast.getNow(null));
            clock.advance(Duration.ofSeconds(3));
            loop.runOnce(Duration.ZERO);
            ExecutionException e = assertThrows(ExecutionException.class, limited::get);
            assertInstanceOf(TimeoutException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("PT3S"), e.getCause().getMessage());
            assertTrue(never.isCancelled());
            assertEquals(0, loop.timers().size());
        }
    }
}
