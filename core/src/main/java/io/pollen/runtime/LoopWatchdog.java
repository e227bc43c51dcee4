package io.pollen.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds loops held by one task or handler (Vert.x's blocked-thread checker, tokio-console's long
 * polls): one daemon thread for the whole JVM samples each watched loop's "busy since" word
 * ({@link LoopMonitor}) a few times per threshold, and reports a loop busy for longer than its
 * threshold as a {@link LoopBlockedException} carrying the loop thread's stack, to the loop's error
 * handler and as a JFR event. The loops pay nothing for it beyond their monitor's stores.
 *
 * <p>The thread starts with the first watched loop and ends when none is left.
 */
final class LoopWatchdog {
    /** One watched loop: its handle, monitor and thread. */
    private record Watched(EventLoop loop, LoopMonitor monitor, Thread thread) {
    }

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
            long period = Long.MAX_VALUE;
            for (Watched w : now) {
                period = Math.min(period, w.monitor.thresholdNanos / 4);
                try {
                    check(w);
                } catch (Throwable t) {
                    // The watchdog must outlive any failure of a report (an error handler that throws).
                }
            }
            try {
                Thread.sleep(Math.clamp(period / 1_000_000, 5, 250));
            } catch (InterruptedException e) {
                // Nobody interrupts this daemon on purpose; carry on sampling.
            }
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
