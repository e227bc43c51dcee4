package io.pollen.bench.jmh;

import io.pollen.bench.harness.MachineInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH CSV result file ({@code -rf csv}) into a Markdown table with, for every benchmark
 * (and every other parameter), the ratio of each contender to Pollen's figure from the same run.
 *
 * <p>Usage: {@code JmhReport <results.csv> <baseline impl> <title> <command> [jmh options]}. The ratio is
 * "how many times better Pollen is": for time modes (avgt, sample, ss) the contender's time over
 * Pollen's, for throughput the inverse, so above 1.00 means Pollen is ahead either way. The
 * header records the date, JDK, CPU, core count, kernel and load average at report time; the
 * figures are exactly the CSV's, nothing is smoothed or dropped.
 */
public final class JmhReport {

    private record Row(String benchmark, String mode, double score, double error, String unit,
                       Map<String, String> params) {
    }

    private JmhReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: JmhReport <results.csv> <baseline impl> <title> <command>");
            System.exit(2);
        }
        List<Row> rows = parse(Files.readAllLines(Path.of(args[0])));
        String baseline = args[1];
        StringBuilder out = new StringBuilder();
        out.append("# ").append(args[2]).append("\n\n");
        out.append("- Command: `").append(args[3]).append("`\n");
        if (args.length > 4) {
            out.append("- JMH options: `").append(args[4]).append("` (plus each class's annotations: mode, time unit, iteration time)\n");
        }
        out.append("- Date: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append('\n');
        out.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        out.append("- Machine: ").append(MachineInfo.cpuModel()).append(", ")
                .append(java.lang.Runtime.getRuntime().availableProcessors()).append(" cores (shared), ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", load average at report time ").append(MachineInfo.loadAverage()).append('\n');
        out.append("- Ratio: how many times better `").append(baseline)
                .append("` is than the row's contender in the same run (time modes: their time / Pollen's).\n\n");
        out.append("| benchmark | params | impl | score | ± error (99.9%) | unit | ").append(baseline).append(" ahead by |\n");
        out.append("|---|---|---|---:|---:|---|---:|\n");
        for (Row r : rows) {
            String others = otherParams(r.params);
            Row base = find(rows, r.benchmark, others, baseline);
            String ratio = "";
            if (base != null && base != r && base.score > 0 && r.score > 0) {
                double x = isThroughput(r.mode) ? base.score / r.score : r.score / base.score;
                ratio = String.format(Locale.ROOT, "%.2f×", x);
            } else if (base == r) {
                ratio = "—";
            }
            out.append("| ").append(shortName(r.benchmark)).append(" | ").append(others.isEmpty() ? "" : others)
                    .append(" | ").append(r.params.getOrDefault("impl", "")).append(" | ")
                    .append(fmt(r.score)).append(" | ").append(Double.isNaN(r.error) ? "" : fmt(r.error))
                    .append(" | ").append(r.unit).append(" | ").append(ratio).append(" |\n");
        }
        System.out.print(out);
    }

    private static boolean isThroughput(String mode) {
        return mode.equals("thrpt");
    }

    private static Row find(List<Row> rows, String benchmark, String others, String impl) {
        for (Row r : rows) {
            if (r.benchmark.equals(benchmark) && impl.equals(r.params.get("impl"))
                    && otherParams(r.params).equals(others)) {
                return r;
            }
        }
        return null;
    }

    private static String otherParams(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (!k.equals("impl") && !v.isEmpty()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }

    private static String shortName(String benchmark) {
        String prefix = "io.pollen.bench.jmh.";
        return benchmark.startsWith(prefix) ? benchmark.substring(prefix.length()) : benchmark;
    }

    private static String fmt(double d) {
        if (d >= 100) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        if (d >= 10) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        return String.format(Locale.ROOT, "%.3f", d);
    }

    static List<Row> parse(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        List<String> header = split(lines.getFirst());
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> f = split(line);
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 7; i < header.size() && i < f.size(); i++) {
                params.put(header.get(i).replace("Param: ", ""), f.get(i));
            }
            rows.add(new Row(f.get(0), f.get(1), num(f.get(4)), num(f.get(5)), f.get(6), params));
        }
        return rows;
    }

    private static double num(String s) {
        return s.isEmpty() || s.equals("NaN") ? Double.NaN : Double.parseDouble(s.replace(',', '.'));
    }

    /** RFC 4180 fields: quoted fields may hold commas and doubled quotes. */
    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
