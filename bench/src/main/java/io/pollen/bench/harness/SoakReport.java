package io.pollen.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak run's report: a Markdown table per phase, the targets checked, a CSV of every sample
 * and an SVG chart of memory and descriptors over time.
 */
final class SoakReport {

    /** RSS after warm-up must stay below this (issue #11). */
    static final long RSS_LIMIT_KIB = 500 * 1024;
    /** Descriptors after a phase may exceed the baseline by this many (a listener re-armed, a log). */
    static final int FD_SLACK = 2;

    private final List<Soak.Outcome> outcomes;
    private final List<SoakSampler.Sample> samples;
    private final int baseline;
    private final int phasesPlanned;
    private final Map<String, String> machine;
    private final int exitCode;
    private final String backend;
    private final String stem;
    private final List<String> loopFailures;

    /**
     * @param backend what {@code pollen serve --backend} was given, or null (its own choice)
     * @param stem    the report's file name without extension ({@code soak}, {@code soak-io_uring})
     * @param loopFailures what the server's log reported as uncaught failures on its loops, one line each
     */
    SoakReport(List<Soak.Outcome> outcomes, List<SoakSampler.Sample> samples, int baseline, int phasesPlanned,
               Map<String, String> machine, int exitCode, String backend, String stem, List<String> loopFailures) {
        this.outcomes = outcomes;
        this.samples = samples;
        this.baseline = baseline;
        this.phasesPlanned = phasesPlanned;
        this.machine = machine;
        this.exitCode = exitCode;
        this.backend = backend;
        this.stem = stem;
        this.loopFailures = loopFailures;
    }

    /** The targets this run missed, in words; empty when all were met. */
    List<String> missedTargets() {
        List<String> missed = brokenInvariants();
        for (Soak.Outcome o : outcomes) {
            if (o.rssMaxKib() > RSS_LIMIT_KIB) missed.add(o.phase().name() + ": RSS " + o.rssMaxKib() / 1024 + " MiB");
        }
        return missed;
    }

    /** What must hold in any run, however short: the server lives, gives back its fds, fails no one. */
    List<String> brokenInvariants() {
        List<String> missed = new ArrayList<>();
        if (outcomes.size() < phasesPlanned) missed.add("the server died during phase " + (outcomes.size()));
        for (Soak.Outcome o : outcomes) {
            String n = o.phase().name();
            if (o.errors() > 0) missed.add(n + ": " + fmt(o.errors()) + " errors seen by well-behaved clients");
            if (o.fdsAfter() > baseline + FD_SLACK) missed.add(n + ": " + o.fdsAfter() + " fds after, baseline " + baseline);
        }
        if (exitCode != 0) missed.add("pollen serve exited " + exitCode + " after SIGTERM (want 0)");
        if (!loopFailures.isEmpty()) {
            missed.add("the server logged " + loopFailures.size() + " uncaught failures on its loops (first: "
                    + loopFailures.getFirst() + ")");
        }
        return missed;
    }

    String markdown() {
        StringBuilder b = new StringBuilder("# Soak: one `pollen serve` under mixed load\n\n");
        b.append("Command: `").append(machine.get("command")).append("` at git ").append(machine.get("git_commit"))
                .append(", ").append(machine.get("date")).append(".\n");
        b.append("Machine: ").append(machine.get("nproc")).append(" cpus (").append(machine.get("cpu_model"))
                .append("), ").append(machine.get("memory")).append(", kernel ").append(machine.get("kernel"))
                .append(", ").append(machine.get("jdk")).append("; load average at start ")
                .append(machine.get("loadavg_start")).append(".\n");
        b.append("Server: `bin/pollen serve").append(backend == null ? "" : " --backend " + backend)
                .append("` with default JVM flags, one loop; baseline ").append(baseline)
                .append(" open fds after warm-up. Samples every second: [").append(stem).append(".csv](").append(stem)
                .append(".csv), chart: [").append(stem).append(".svg](").append(stem).append(".svg).\n\n");
        b.append("| phase | s | requests (well-behaved) | errors | RSS max MiB | RSS end MiB | fds peak | fds after settle | hostile clients |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Soak.Outcome o : outcomes) {
            SoakClients.Counts h = o.hostile();
            String hostile = h.opened.get() == 0 ? "-"
                    : h.opened.get() + " opened, " + h.cutByServer.get() + " cut by the server, " + h.hungUp.get() + " hung up";
            b.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %d | %d | %d | %d | %s |%n", o.phase().name(),
                    o.seconds(), fmt(o.requests()), fmt(o.errors()), o.rssMaxKib() / 1024, o.rssEndKib() / 1024,
                    o.fdsPeak(), o.fdsAfter(), hostile));
        }
        List<String> missed = missedTargets();
        b.append("\nTargets: RSS under ").append(RSS_LIMIT_KIB / 1024).append(" MiB, fds back to baseline (+")
                .append(FD_SLACK).append(") after each phase, no error for well-behaved clients, no uncaught failure in")
                .append(" the server's log, exit 0 after SIGTERM: ")
                .append(missed.isEmpty() ? "**all met**" : "**missed** — " + String.join("; ", missed))
                .append(". Exit code after SIGTERM: ").append(exitCode).append("; uncaught failures logged: ")
                .append(loopFailures.size()).append(".\n");
        return b.toString();
    }

    String csv() {
        StringBuilder b = new StringBuilder("seconds,phase,rss_kib,fds,threads\n");
        for (SoakSampler.Sample s : samples) {
            b.append(String.format(Locale.ROOT, "%.1f,%s,%d,%d,%d%n", s.seconds(), s.phase(), s.rssKib(), s.fds(), s.threads()));
        }
        return b.toString();
    }

    /** RSS (MiB, left axis) and open fds (right axis) over time, one band per phase. */
    String svg() {
        int w = 1000, h = 360, left = 70, right = 70, top = 40, bottom = 40;
        double tMax = samples.isEmpty() ? 1 : Math.max(1, samples.getLast().seconds());
        double rssMax = Math.max(64, samples.stream().mapToLong(SoakSampler.Sample::rssKib).max().orElse(0) / 1024.0 * 1.15);
        double fdMax = Math.max(16, samples.stream().mapToInt(SoakSampler.Sample::fds).max().orElse(0) * 1.15);
        int pw = w - left - right, ph = h - top - bottom;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">pollen serve under soak: RSS (MiB, blue, left) and open fds (orange, right)</text>%n", left));
        String phase = null;
        for (SoakSampler.Sample s : samples) {
            if (!s.phase().equals(phase) && !s.phase().endsWith("(settle)")) {
                double x = left + s.seconds() / tMax * pw;
                b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ccc\"/>%n", x, top, x, top + ph));
                b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#555\">%s</text>%n", x + 3, top + 12, escape(s.phase())));
            }
            phase = s.phase();
        }
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", left, top, pw, ph));
        b.append(polyline(tMax, rssMax, pw, ph, left, top, true, "#1f77b4"));
        b.append(polyline(tMax, fdMax, pw, ph, left, top, false, "#ff7f0e"));
        for (int i = 0; i <= 4; i++) {
            int y = top + ph - i * ph / 4;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", left - 5, y + 4, rssMax * i / 4));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.0f</text>%n", left + pw + 5, y + 4, fdMax * i / 4));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds (0–%.0f)</text>%n", left + pw / 2, h - 10, tMax));
        return b.append("</svg>\n").toString();
    }

    private String polyline(double tMax, double yMax, int pw, int ph, int left, int top, boolean rss, String color) {
        StringBuilder p = new StringBuilder();
        for (SoakSampler.Sample s : samples) {
            double v = rss ? s.rssKib() / 1024.0 : s.fds();
            if (v < 0) continue;
            p.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + s.seconds() / tMax * pw, top + ph - v / yMax * ph));
        }
        return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\" points=\"" + p.toString().trim() + "\"/>\n";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
