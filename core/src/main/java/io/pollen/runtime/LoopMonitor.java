package io.pollen.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * What one loop's thread tells the world about itself: counters for {@link LoopStats}, and the
 * "busy since" word the {@link LoopWatchdog} samples to find a loop held by one task.
 *
 * <p>Cost on the loop, per iteration: two {@link System#nanoTime()} reads (a vDSO call, no
 * system call), which the timers share (with the system ticker), one release store of "busy since" (a plain store on x86), one more before a
 * blocking wait, and plain adds. Nothing per task but two plain reference stores (what runs now,
 * in {@link TaskQueue} and {@link IoDriver}); nothing allocated unless an iteration ran past the
 * threshold and JFR records it.
 */
final class LoopMonitor {
    private static final VarHandle BUSY_SINCE;

    static {
        try {
            BUSY_SINCE = MethodHandles.lookup().findVarHandle(LoopMonitor.class, "busySince", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The loop's name, for reports. */
    final String loop;
    /** Iterations busy at least this long are recorded as JFR events; also the watchdog's limit. */
    final long thresholdNanos;
    /** {@code nanoTime} when the loop came back from its driver (busy since); 0 while it waits. */
    private volatile long busySince;
    /** When the current busy part began; loop thread. */
    private long stamp = System.nanoTime();
    /** Whether {@link #awake} began this iteration's busy part (the driver said its wait ended). */
    private boolean awoken;
    /** Counters; written by the loop thread only (see {@link LoopStats} on reading them). */
    private long iterations, tasksRun, polls, events, timersFired, longestBusy;
    /** Blocked reports made by the watchdog; written by the watchdog only. */
    volatile long blockedReports;
    /** The busy-since value last reported blocked, so that one stretch is reported once. */
    long reportedStamp;
    /** When the watchdog last reported this loop (rate limit). */
    long lastReportNanos;

    LoopMonitor(String loop, long thresholdNanos) {
        this.loop = loop;
        this.thresholdNanos = thresholdNanos;
    }

    /** A caller-driven iteration starts: the time between two calls was not the loop's. */
    void restart() {
        beginBusy();
    }

    /** A busy part begins now (nanoTime, returned): the watchdog measures from here. */
    private long beginBusy() {
        long now = System.nanoTime();
        stamp = now;
        BUSY_SINCE.setRelease(this, now);
        return now;
    }

    /** Before the driver runs with {@code wait}, at {@code now} (nanoTime): the busy part of the iteration ends. */
    void beforeWait(long wait, long now) {
        long busy = now - stamp;
        if (busy > longestBusy) {
            longestBusy = busy;
        }
        if (busy >= thresholdNanos && thresholdNanos > 0) {
            LoopJfr.iteration(loop, busy, tasksRun);
        }
        if (wait != 0) {
            BUSY_SINCE.setRelease(this, 0L); // parked in the kernel: waiting is not being blocked
        }
    }

    /**
     * The driver's wait ended, before it dispatches: a new busy part begins. Here and not when the
     * driver returns, because the handlers run inside the driver's run: one that blocks the loop
     * must find "busy since" set, or the watchdog would take the loop for parked.
     */
    void awake() {
        beginBusy();
        awoken = true;
    }

    /**
     * The driver returned with {@code reports} dispatched; returns when the busy part began
     * (nanoTime): at {@link #awake}, or now if the driver did not say (it failed first, or it is
     * one that does not).
     */
    long afterWait(int reports) {
        polls++;
        events += reports;
        if (awoken) {
            awoken = false;
            return stamp;
        }
        return beginBusy();
    }

    /** The iteration ran {@code tasks} tasks and fired {@code timers} timers. */
    void iterated(int tasks, int timers) {
        iterations++;
        tasksRun += tasks;
        timersFired += timers;
    }

    /** Busy since (nanoTime), or 0 while waiting; any thread. */
    long busySince() {
        return (long) BUSY_SINCE.getAcquire(this);
    }

    /** The loop closed: nothing to watch any more. */
    void stopped() {
        BUSY_SINCE.setRelease(this, 0L);
    }

    /** The counters now; {@code kernelCalls < 0} (not counted by the driver) stands for one per poll. */
    LoopStats snapshot(int queueDepth, long kernelCalls) {
        long since = busySince(); // acquire: the counters written before it are visible
        long longest = longestBusy;
        if (since != 0) {
            longest = Math.max(longest, System.nanoTime() - since);
        }
        return new LoopStats(loop, iterations, tasksRun, polls, events, timersFired, queueDepth,
                Duration.ofNanos(longest), blockedReports, kernelCalls < 0 ? polls : kernelCalls);
    }
}
