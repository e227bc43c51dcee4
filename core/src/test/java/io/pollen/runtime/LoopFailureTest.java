package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop never dies of its own error reporting, and never silently: error handlers and logging
 * that throw (as logging does at EMFILE: {@code NoClassDefFoundError} of the time-zone data) leave
 * the loop serving; a loop that does die marks its {@link Runtime} failed.
 */
@Timeout(60)
class LoopFailureTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    /** The error of the production incident, thrown where a report was being formatted. */
    private static Error tzFailure() {
        return new NoClassDefFoundError("Could not initialize class sun.util.calendar.ZoneInfoFile");
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void throwingErrorHandlerDoesNotKillTheLoop(Backend backend) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("throwing-handler")
                .errorHandler((loop, t) -> {
                    handled.incrementAndGet();
                    throw tzFailure();
                }).build()) {
            for (int i = 0; i < 3; i++) {
                rt.execute(() -> {
                    throw new IllegalStateException("task failure " + 42);
                });
                rt.loops().getFirst().schedule(Duration.ZERO, () -> {
                    throw new OutOfMemoryError("timer failure");
                });
            }
            // The loop still runs tasks and timers after every report failed.
            int seven = rt.blockOn(() -> rt.loops().getFirst().sleep(Duration.ofMillis(20)).thenApply(v -> 7));
            assertEquals(7, seven);
            assertEquals(6, handled.get());
            assertFalse(rt.isFailed());
        } finally {
            System.setErr(saved);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("the error handler of throwing-handler-loop-0 threw"), err);
        assertTrue(err.contains("ZoneInfoFile"), err);
        assertTrue(err.contains("task failure 42"), "the original failure is still reported: " + err);
        assertTrue(err.contains("timer failure"), err);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void loopSurvivesWhenEveryReportingPathFails(Backend backend) throws Exception {
        PrintStream saved = System.err;
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) {
                throw new OutOfMemoryError("stderr is broken too");
            }
        };
        System.setErr(new PrintStream(broken) {
            @Override
            public void write(byte[] buf, int off, int len) {
                throw new OutOfMemoryError("stderr is broken too");
            }
        });
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("no-reporting")
                .errorHandler((loop, t) -> {
                    throw new StackOverflowError();
                }).build()) {
            Throwable nasty = new RuntimeException() {
                @Override
                public String toString() {
                    throw new IllegalStateException("toString throws");
                }

                @Override
                public StackTraceElement[] getStackTrace() {
                    throw new IllegalStateException("getStackTrace throws");
                }
            };
            for (int i = 0; i < 3; i++) {
                rt.execute(() -> {
                    throw (RuntimeException) nasty;
                });
            }
            assertEquals("alive", rt.blockOn(() -> CompletableFuture.completedFuture("alive")));
            assertFalse(rt.isFailed());
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void lastResortFallsBackWhenTheLoggerThrows() {
        System.Logger throwing = new System.Logger() {
            @Override
            public String getName() {
                return "throwing";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
                throw tzFailure();
            }

            @Override
            public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
                throw tzFailure();
            }
        };
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LastResort.warn(throwing, "accept failed on ", "listener-1", new java.io.IOException("EMFILE"));
        } finally {
            System.setErr(saved);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("accept failed on listener-1: java.io.IOException: EMFILE"), err);
        assertTrue(err.contains("\tat "), "with its frames: " + err);
        assertTrue(err.contains("logging failed"), err);
    }

    /**
     * An Error thrown in a way no task boundary contains — here a clock that breaks, armed by a
     * task, so that every iteration of the loop throws — ends the loop, and the runtime says so.
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void loopThatDiesMarksItsRuntimeFailed(Backend backend) throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        Error cause = new InternalError("the clock broke");
        Ticker clock = () -> {
            if (broken.get()) {
                throw cause;
            }
            return System.nanoTime();
        };
        try (Runtime rt = Runtime.builder().backend(backend).loops(2).threadNamePrefix("dying").clock(clock)
                .errorHandler((loop, t) -> { }).build()) {
            CompletableFuture<Throwable> failure = rt.failure();
            assertFalse(rt.isFailed());
            EventLoop victim = rt.loops().getFirst();
            victim.execute(() -> broken.set(true));
            Throwable t = failure.get(20, TimeUnit.SECONDS);
            assertTrue(rt.isFailed());
            assertInstanceOf(IllegalStateException.class, t);
            assertSame(cause, t.getCause());
            assertTrue(t.getMessage().contains("dying-loop-0"), t.getMessage());
            victim.thread().join(10_000);
            assertFalse(victim.thread().isAlive(), "the dead loop's thread ended");
            assertTrue(victim.isClosed(), "and closed what it owned");
            broken.set(false);
            // The other loop goes on (a process decides what to do; pollen serve exits non-zero).
            EventLoop other = rt.loops().get(1);
            int three = other.spawn(() -> CompletableFuture.completedFuture(3)).get(10, TimeUnit.SECONDS);
            assertEquals(3, three);
        }
    }
}
