package io.pollen.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds loops held by one task or handler (Vert.x's blocked-thread checker, tokio-console's long
 * polls): one daemon thread for the whole JVM samples each watched loop's "busy since" word
 * ({@link LoopMonitor}) a few times per threshold, and reports a loop busy for longer than its
 * threshold as a {@link LoopBlockedException} carrying the loop thread's stack, to the loop's error
 * handler and as a JFR event. The loops pay nothing for it beyond their monitor's stores.
 *
 * <p>It looks four times per threshold while a loop is busy, and once per threshold while every
 * loop is parked in its driver: a stretch that begins during that longer pause is less than a
 * threshold old at the next look, which then finds the loop busy and goes back to looking four
 * times, so a stretch is still reported within about 1.25 thresholds of its start. Why: waking a
 * sleeping thread costs tens of microseconds of cpu on a virtual machine (about 60 µs measured on
 * this project's), and an idle server should not pay that 40 times a second.
 *
 * <p>The thread starts with the first watched loop and ends when none is left.
 */
final class LoopWatchdog {
    /** One watched loop: its handle, monitor and thread. */
    private record Watched(EventLoop loop, LoopMonitor monitor, Thread thread) {
    }

    private static final long MIN_PAUSE = 5_000_000L;
    private static final long MAX_BUSY_PAUSE = 250_000_000L;
    private static final long MAX_PARKED_PAUSE = 1_000_000_000L;

    /** Guards {@link #watched} and {@link #thread}. */
    private static final Object LOCK = new Object();
    /** The loops being watched. */
    private static final List<Watched> watched = new ArrayList<>();
    /** The sampling thread, or null when nothing is watched. */
    private static Thread thread;

    private LoopWatchdog() {
    }

    /** Watches {@code loop}, which runs on {@code t}; a threshold of 0 watches nothing. */
    static void watch(EventLoop loop, LoopMonitor monitor, Thread t) {
        if (monitor.thresholdNanos <= 0) {
            return;
        }
        synchronized (LOCK) {
            watched.add(new Watched(loop, monitor, t));
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("pollen-watchdog").start(LoopWatchdog::run);
            } else {
                LockSupport.unpark(thread);   // a long pause was planned without this loop
            }
        }
    }

    /** Stops watching {@code loop} (it closed). */
    static void unwatch(EventLoop loop) {
        synchronized (LOCK) {
            watched.removeIf(w -> w.loop == loop);
        }
    }

    private static void run() {
        while (true) {
            List<Watched> now;
            synchronized (LOCK) {
                if (watched.isEmpty()) {
                    thread = null;
                    return;
                }
                now = List.copyOf(watched);
            }
            long threshold = Long.MAX_VALUE;
            boolean busy = false;
            for (Watched w : now) {
                threshold = Math.min(threshold, w.monitor.thresholdNanos);
                busy |= w.monitor.busySince() != 0;
                try {
                    check(w);
                } catch (Throwable t) {
                    // The watchdog must outlive any failure of a report (an error handler that throws).
                }
            }
            // Parked, not sleeping: an unpark from watch() ends the pause without an interrupt
            // that could reach an error handler's I/O; an early return only means an early look.
            LockSupport.parkNanos(pauseNanos(threshold, busy));
        }
    }

    /**
     * How long to wait before the next look: a quarter of the smallest threshold while some loop
     * is busy, the whole threshold while all are parked; at least 5 ms, at most 250 ms busy and 1 s parked.
     */
    static long pauseNanos(long thresholdNanos, boolean anyBusy) {
        return anyBusy ? Math.clamp(thresholdNanos / 4, MIN_PAUSE, MAX_BUSY_PAUSE)
                : Math.clamp(thresholdNanos, MIN_PAUSE, MAX_PARKED_PAUSE);
    }

    /** Reports {@code w}'s loop if it has been busy past its threshold, once per stretch. */
    private static void check(Watched w) {
        LoopMonitor m = w.monitor;
        long since = m.busySince();
        if (since == 0 || since == m.reportedStamp) {
            return;
        }
        long now = System.nanoTime();
        if (now - since < m.thresholdNanos) {
            return;
        }
        m.reportedStamp = since;
        if (m.lastReportNanos != 0 && now - m.lastReportNanos < LoopBlockedException.MIN_INTERVAL_NANOS) {
            return;
        }
        String running = w.loop.core().running();
        StackTraceElement[] stack = w.thread.getStackTrace();
        if (m.busySince() != since) {
            return; // the loop moved on while the stack was taken: that stack is not the culprit's
        }
        m.lastReportNanos = now;
        m.blockedReports++;
        LoopBlockedException report = new LoopBlockedException(m.loop, now - since, running, stack);
        LoopJfr.blocked(report, running);
        w.loop.reportError(report);
    }
}
