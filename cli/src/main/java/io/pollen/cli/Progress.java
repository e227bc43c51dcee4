package io.pollen.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Shows how many of {@code total} tasks have finished while {@code pollen demo --tasks N} runs.
 *
 * <p>Two renderings, picked by {@link Mode}: on a terminal a one-line bar redrawn in place with a
 * carriage return ({@code [########......]  523/1000  52%  0.6 s}); anywhere else (a pipe, a log,
 * Maven's exec plugin) plain lines at most every {@link #LINE_INTERVAL}, so a log does not fill
 * with a thousand updates. The rendering itself ({@link #bar}, {@link #line}) is pure and tested
 * on its own; {@link #update} decides when to print.
 *
 * <p>Not thread-safe: one thread (the one waiting for the tasks) calls {@link #update} and
 * {@link #finish}; the count it reads comes from a {@link LongSupplier} the tasks bump.
 */
final class Progress {
    /** How often the plain-line rendering prints at most. */
    static final Duration LINE_INTERVAL = Duration.ofSeconds(1);
    /** Width of the bar between the brackets, in characters. */
    static final int BAR_WIDTH = 30;

    /** Where progress goes: a redrawn bar, periodic lines, or nowhere. */
    enum Mode {
        /** A bar redrawn in place; only sensible on a terminal. */
        BAR,
        /** A plain line now and then; for pipes and logs. */
        LINES,
        /** No progress output at all. */
        OFF;

        /** {@code auto} picks {@link #BAR} when stdout is a terminal, else {@link #LINES}. */
        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "auto" -> stdoutIsTerminal() ? BAR : LINES;
                case "bar" -> BAR;
                case "lines" -> LINES;
                case "off", "none" -> OFF;
                default -> throw new IllegalArgumentException(
                        "unknown progress mode '" + s + "': expected auto, bar, lines or off");
            };
        }
    }

    private final PrintWriter out;
    private final Mode mode;
    private final long total;
    private final LongSupplier done;
    private final long startNanos;
    private long lastLineNanos;
    private long lastPrinted = -1;

    Progress(PrintWriter out, Mode mode, long total, LongSupplier done) {
        this.out = out;
        this.mode = mode;
        this.total = total;
        this.done = done;
        this.startNanos = System.nanoTime();
        this.lastLineNanos = startNanos;
    }

    /** Prints the current state if this mode wants it now. Call it every ~100 ms. */
    void update() {
        long n = done.getAsLong();
        long now = System.nanoTime();
        Duration elapsed = Duration.ofNanos(now - startNanos);
        switch (mode) {
            case BAR -> {
                out.print('\r' + bar(n, total, elapsed));
                out.flush();
            }
            case LINES -> {
                // Only when something changed and the interval passed: a quiet log for a long wait.
                if (n != lastPrinted && now - lastLineNanos >= LINE_INTERVAL.toNanos()) {
                    out.println(line(n, total, elapsed));
                    lastLineNanos = now;
                    lastPrinted = n;
                }
            }
            case OFF -> { }
        }
    }

    /** Prints the final state and, for the bar, ends its line. */
    void finish() {
        long n = done.getAsLong();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        switch (mode) {
            case BAR -> out.println('\r' + bar(n, total, elapsed));
            case LINES -> {
                if (n != lastPrinted) {
                    out.println(line(n, total, elapsed));
                }
            }
            case OFF -> { }
        }
        out.flush();
    }

    /** {@code [###########...................]   365/1000  36%  0.4 s}: fixed width for a given total. */
    static String bar(long done, long total, Duration elapsed) {
        long clamped = Math.max(0, Math.min(done, total));
        int filled = total == 0 ? BAR_WIDTH : (int) (clamped * BAR_WIDTH / total);
        int digits = Long.toString(total).length();
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%" + digits + "d/%d %3d%%  %s",
                        done, total, percent(done, total), Summary.duration(elapsed));
    }

    /** {@code progress: 365/1000 tasks done (36%) after 0.4 s}. */
    static String line(long done, long total, Duration elapsed) {
        return String.format(Locale.ROOT, "progress: %d/%d tasks done (%d%%) after %s",
                done, total, percent(done, total), Summary.duration(elapsed));
    }

    static int percent(long done, long total) {
        if (total <= 0) {
            return 100;
        }
        return (int) (Math.max(0, Math.min(done, total)) * 100 / total);
    }

    /**
     * Whether stdout is an interactive terminal. Since JDK 22 {@code System.console()} exists even
     * when redirected, so ask it {@code isTerminal()} rather than testing for null.
     */
    static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** Sleeps for a progress tick; returns false if interrupted. */
    static boolean tick() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
