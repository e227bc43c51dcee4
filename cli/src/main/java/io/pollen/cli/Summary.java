package io.pollen.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code pollen demo --tasks N} prints once every task has finished: how many requests, how
 * many succeeded, the wall time, what the same work would take one request after another
 * ({@code N × delay}), how many threads did the work, and the peak memory of the process.
 *
 * <p>A value type with a pure {@link #format()}, so the wording is unit-tested without running a
 * demo. Figures are what one run measured, not a benchmark: the benchmark harness owns those.
 *
 * @param requests      tasks started (one request each)
 * @param successes     tasks that received a complete 2xx response
 * @param firstError    the first failure's message, or null when none failed
 * @param wall          from the first task spawned to the last one finished
 * @param delay         the server-side delay of each request; {@link Duration#ZERO} if unknown
 *                      (a {@code --url} that is not a {@code /delay/} route)
 * @param style         the task style ({@code async} or {@code virtual})
 * @param backend       the backend id ({@code epoll}, {@code nio})
 * @param loopThreads   event-loop (executor) threads that ran the tasks' continuations
 * @param carrierThreads platform threads that carried virtual threads (0 in the async style)
 * @param jvmThreads    all threads of the JVM at the end (GC, JIT, ... included)
 * @param memory        the peak memory figure
 */
record Summary(long requests, long successes, String firstError, Duration wall, Duration delay,
               String style, String backend, int loopThreads, int carrierThreads, int jvmThreads,
               ProcessStats.Memory memory) {

    /** The summary as aligned lines (no trailing newline). */
    String format() {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("requests", requests + " (" + style + " tasks, " + backend + " backend)"));
        rows.add(row("successes", successes + "/" + requests
                + (firstError == null ? "" : "  (first failure: " + firstError + ")")));
        rows.add(row("wall time", duration(wall)));
        if (!delay.isZero()) {
            Duration serial = delay.multipliedBy(requests);
            String speedup = wall.isZero() ? "" : String.format(Locale.ROOT, "  (%.0fx the wall time)",
                    (double) serial.toNanos() / wall.toNanos());
            rows.add(row("one by one", requests + " x " + delay.toMillis() + " ms = " + duration(serial) + speedup));
        }
        rows.add(row("threads", threads()));
        rows.add(row("peak memory", memory.format()));
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder sb = new StringBuilder("summary:");
        for (String[] r : rows) {
            sb.append("\n  ").append(r[0]).append(" ".repeat(width - r[0].length() + 2)).append(r[1]);
        }
        return sb.toString();
    }

    private String threads() {
        String loops = loopThreads + " event-loop thread" + (loopThreads == 1 ? "" : "s");
        String carriers = carrierThreads == 0 ? ""
                : " + " + carrierThreads + " virtual-thread carrier" + (carrierThreads == 1 ? "" : "s");
        return loops + carriers + " ran the tasks (" + jvmThreads + " threads in the JVM, GC and JIT included)";
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }

    /**
     * A duration for people: {@code 850 ms}, {@code 1.04 s}, {@code 16 min 40 s},
     * {@code 2 h 5 min}.
     */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    /** Bytes for people, in binary units: {@code 512 B}, {@code 3.0 KiB}, {@code 112.4 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
