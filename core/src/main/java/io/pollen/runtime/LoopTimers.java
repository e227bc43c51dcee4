package io.pollen.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The timers of one {@link EventLoop}: what {@code sleep}, {@code schedule} and {@code interval}
 * make, queued on the loop's thread and fired in its last phase. Callable from any thread: a timer
 * made elsewhere is handed to the loop as a task. A loop that stops drops its timers, failing
 * sleeps, so that nothing waits forever on a timer that will never fire.
 */
final class LoopTimers {
    /** The loop the timers fire on. */
    private final EventLoop loop;
    /** Pending timers by deadline (FIFO for equal deadlines); loop thread only. */
    private final TimerQueue queue = new TimerQueue();
    /** The clock deadlines are read from. */
    private final Ticker ticker;
    /** {@link #fire}, made once so that firing allocates nothing. */
    private final Consumer<TimerHandle> runner = this::fire;
    /** Queues an empty task when a manual clock moves: the loop then re-reads the clock. */
    private final Runnable onAdvance;

    LoopTimers(EventLoop loop, Ticker ticker) {
        this.loop = loop;
        this.ticker = ticker;
        // A task, not a bare wake-up: the driver's check before sleeping sees queued tasks, but not
        // a clock that moved after the loop computed its wait.
        this.onAdvance = () -> loop.executeQuietly(() -> { });
        if (ticker instanceof ManualTicker m) {
            m.onAdvance(onAdvance);
        }
    }

    /** Detaches from a manual clock (the loop closed). */
    void detachTicker() {
        if (ticker instanceof ManualTicker m) {
            m.removeListener(onAdvance);
        }
    }

    TimerQueue queue() {
        return queue;
    }

    /** See {@link EventLoop#sleep}. */
    CompletableFuture<Void> sleep(Duration delay) {
        SleepFuture f = new SleepFuture();
        f.timer = schedule(delay, f);
        return f;
    }

    /** See {@link EventLoop#schedule}. */
    TimerHandle schedule(Duration delay, Runnable action) {
        return add(checkDelay(delay), 0, action);
    }

    /** See {@link EventLoop#interval}. */
    TimerHandle interval(Duration period, Runnable action) {
        long p = checkDelay(period);
        if (p == 0) {
            throw new IllegalArgumentException("an interval needs a positive period");
        }
        return add(p, p, action);
    }

    private TimerHandle add(long delayNanos, long periodNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        TimerHandle t = new TimerHandle(loop, action, ticker.nanoTime() + delayNanos, periodNanos,
                Task.current(loop));
        if (loop.inLoop()) {
            queue(t);
        } else if (!loop.executeQuietly(() -> queue(t))) {
            drop(t);
        }
        return t;
    }

    /** Queues {@code t} (loop thread), unless the loop is stopping: its timers never fire. */
    private void queue(TimerHandle t) {
        if (loop.state().isStopping()) {
            drop(t);
        } else {
            queue.add(t);
        }
    }

    /**
     * A timer that will never fire, because the loop stopped: it is cancelled, and a sleep fails
     * with the closed loop, so that a task or a virtual thread waiting on it does not wait forever.
     */
    void drop(TimerHandle t) {
        t.cancelled = true;
        if (t.action instanceof SleepFuture sleep) {
            sleep.completeExceptionally(LoopCalls.closedLoop(loop));
        }
    }

    /** Drops every pending timer (the loop is closing). */
    void dropAll() {
        queue.clear(this::drop);
    }

    /**
     * The timers' clock, given a {@link System#nanoTime()} reading the loop made anyway: that
     * reading itself with the system ticker (one clock read per use saved), else the test ticker's.
     */
    long now(long systemNow) {
        return ticker == SystemTicker.INSTANCE ? systemNow : ticker.nanoTime();
    }

    /** Nanoseconds from {@code now} ({@link #now}) until the next deadline: 0 if one is due, negative if there is none. */
    long nanosUntilNext(long now) {
        return queue.nanosUntilNext(now);
    }

    /** Fires the timers due at {@code now} ({@link #now}); returns how many fired. */
    int fireExpired(long now) {
        return queue.fireExpired(now, runner);
    }

    private void fire(TimerHandle t) {
        Task prev = loop.core().enter(t.owner);
        try {
            t.action.run();
        } catch (Throwable e) {
            loop.reportError(e);
        } finally {
            loop.core().exit(prev);
        }
    }

    private static long checkDelay(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4; // ~73 years: never, in practice
        }
    }
}
