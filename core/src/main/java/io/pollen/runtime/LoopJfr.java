package io.pollen.runtime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Pollen's JDK Flight Recorder events, enabled by default: a recording ({@code jcmd <pid>
 * JFR.start}, JMC) shows the loop iterations that ran longer than the blocked threshold and every
 * blocked-loop report. Both are committed only past the threshold, so they cost nothing while the
 * loops are healthy.
 */
final class LoopJfr {
    private LoopJfr() {
    }

    /** A loop iteration that kept the loop busy longer than the blocked threshold. */
    @Name("io.pollen.LoopIteration")
    @Label("Slow Loop Iteration")
    @Category({"Pollen", "Event Loop"})
    @Description("An event-loop iteration busy for longer than the runtime's blocked threshold")
    @StackTrace(false)
    static final class Iteration extends Event {
        @Label("Loop")
        String loop;
        @Label("Busy")
        @Timespan(Timespan.NANOSECONDS)
        long busy;
        @Label("Tasks Run So Far")
        long tasksRun;
    }

    /** A task or handler that held a loop longer than the threshold (the watchdog's report). */
    @Name("io.pollen.LoopBlocked")
    @Label("Blocked Event Loop")
    @Category({"Pollen", "Event Loop"})
    @Description("A task or handler held an event loop longer than the runtime's blocked threshold")
    @StackTrace(false)
    static final class Blocked extends Event {
        @Label("Loop")
        String loop;
        @Label("Blocked For")
        @Timespan(Timespan.NANOSECONDS)
        long blocked;
        @Label("Running")
        String running;
        @Label("Loop Stack")
        String stack;
    }

    static void iteration(String loop, long busyNanos, long tasksRun) {
        Iteration e = new Iteration();
        if (e.isEnabled()) {
            e.loop = loop;
            e.busy = busyNanos;
            e.tasksRun = tasksRun;
            e.commit();
        }
    }

    static void blocked(LoopBlockedException report, String running) {
        Blocked e = new Blocked();
        if (e.isEnabled()) {
            e.loop = report.loop();
            e.blocked = report.blockedNanos();
            e.running = running;
            StringBuilder sb = new StringBuilder();
            for (StackTraceElement f : report.getStackTrace()) {
                sb.append(f).append('\n');
            }
            e.stack = sb.toString();
            e.commit();
        }
    }
}
