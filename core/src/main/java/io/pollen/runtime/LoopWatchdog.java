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
 * <p>It looks at a busy loop when its stretch would reach the threshold ("busy since" plus the
 * threshold): if "busy since" is the same then, the loop has been held that long and is reported;
 * if it moved on (the usual case: an iteration takes microseconds), the next look is due a
 * threshold after the new stretch began. A loop parked in its driver, or whose stretch was already
 * reported, is looked at again a threshold later; a stretch that begins meanwhile is less than a
 * threshold old at that look, which then waits for the rest. So a held loop is reported about one
 * threshold after its stretch began, and a busy loop costs one look per threshold. Why so few:
 * waking a sleeping thread costs tens of microseconds of cpu on a virtual machine (about 60 µs
 * measured on this project's), and neither an idle nor a busy server should pay that 40 times a second.
 *
 * <p>The thread starts with the first watched loop and ends when none is left.
 */
final class LoopWatchdog {
    /** One watched loop: its handle, monitor and thread. */
    private record Watched(EventLoop loop, LoopMonitor monitor, Thread thread) {
    }

    private static final long MIN_PAUSE = 5_000_000L;
    private static final long MAX_PAUSE = 1_000_000_000L;

    /** Looks taken since the class loaded (tests: how often the watchdog wakes). */
    static volatile long looks;

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
            looks++;   // only this thread writes it
            long pause = MAX_PAUSE;
            for (Watched w : now) {
                try {
                    check(w);
                } catch (Throwable t) {
                    // The watchdog must outlive any failure of a report (an error handler that throws).
                }
                LoopMonitor m = w.monitor;
                pause = Math.min(pause, untilDue(m.busySince(), m.reportedStamp, m.thresholdNanos, System.nanoTime()));
            }
            // Parked, not sleeping: an unpark from watch() ends the pause without an interrupt
            // that could reach an error handler's I/O; an early return only means an early look.
            LockSupport.parkNanos(pauseNanos(pause));
        }
    }

    /**
     * How long from {@code now} until a loop, if it stays as it is, is due a report: until its
     * stretch that began at {@code busySince} is {@code threshold} old; a whole threshold while it
     * waits ({@code busySince == 0}) or once its stretch was reported. The watchdog waits the least
     * of these over its loops, bounded by {@link #pauseNanos}.
     */
    static long untilDue(long busySince, long reportedStamp, long threshold, long now) {
        if (busySince == 0 || busySince == reportedStamp) {
            return threshold;
        }
        return busySince + threshold - now;
    }

    /** The pause before the next look, given the least {@link #untilDue}: at least 5 ms, at most 1 s. */
    static long pauseNanos(long untilDue) {
        return Math.clamp(untilDue, MIN_PAUSE, MAX_PAUSE);
    }

    /** How many loops are watched now (tests). */
    static int watchedCount() {
        synchronized (LOCK) {
            return watched.size();
        }
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
