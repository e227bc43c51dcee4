package io.pollen.bench.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * Every measurement of one harness run (one {@link Sample} per server, scenario and round), the
 * per-server status, and the medians the report is built from. Also writes itself as CSV and
 * JSON (no JSON library: the structure is flat and the writer is a few lines).
 */
final class Results {

    /** One measurement: metrics such as rps, rate, p50_us, p99_us, gen_cpu, server_cpu, errors. */
    record Sample(String server, String scenario, int round, Map<String, Double> metrics) {}

    final List<Sample> samples = new ArrayList<>();
    /** Server name to "ok", "unavailable: why", "missing: why" or "FAILED: why". */
    final Map<String, String> status = new LinkedHashMap<>();
    /** Server name to its first 200 response with the Date blanked. */
    final Map<String, String> responses = new LinkedHashMap<>();

    void add(String server, String scenario, int round, Map<String, Double> metrics) {
        samples.add(new Sample(server, scenario, round, Map.copyOf(metrics)));
    }

    /** Values of one metric over the rounds, in round order. */
    double[] values(String server, String scenario, String metric) {
        return samples.stream()
                .filter(s -> s.server.equals(server) && s.scenario.equals(scenario) && s.metrics.containsKey(metric))
                .mapToDouble(s -> s.metrics.get(metric))
                .toArray();
    }

    OptionalDouble median(String server, String scenario, String metric) {
        double[] v = values(server, scenario, metric);
        if (v.length == 0) return OptionalDouble.empty();
        Arrays.sort(v);
        int n = v.length;
        return OptionalDouble.of(n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
    }

    boolean failed() {
        return status.values().stream().anyMatch(s -> s.startsWith("FAILED"));
    }

    String csv() {
        TreeSet<String> keys = new TreeSet<>();
        samples.forEach(s -> keys.addAll(s.metrics.keySet()));
        StringBuilder b = new StringBuilder("server,scenario,round");
        keys.forEach(k -> b.append(',').append(k));
        b.append('\n');
        for (Sample s : samples) {
            b.append(s.server).append(',').append(s.scenario).append(',').append(s.round);
            for (String k : keys) {
                Double v = s.metrics.get(k);
                b.append(',').append(v == null ? "" : num(v));
            }
            b.append('\n');
        }
        return b.toString();
    }

    String json(Map<String, String> machine, Map<String, String> config) {
        StringBuilder b = new StringBuilder("{\n  \"machine\": ").append(object(machine));
        b.append(",\n  \"config\": ").append(object(config));
        b.append(",\n  \"status\": ").append(object(status));
        b.append(",\n  \"responses\": ").append(object(responses));
        b.append(",\n  \"samples\": [");
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            b.append(i == 0 ? "\n    " : ",\n    ");
            b.append("{\"server\": ").append(str(s.server)).append(", \"scenario\": ").append(str(s.scenario))
                    .append(", \"round\": ").append(s.round);
            new java.util.TreeMap<>(s.metrics).forEach((k, v) -> b.append(", ").append(str(k)).append(": ").append(num(v)));
            b.append('}');
        }
        return b.append("\n  ]\n}\n").toString();
    }

    private static String object(Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() == 1 ? "" : ", ").append(str(k)).append(": ").append(str(v)));
        return b.append('}').toString();
    }

    static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Parses the flat one-line JSON object a generator prints (numbers only). */
    static Map<String, Double> parseFlatJson(String line) {
        Map<String, Double> m = new LinkedHashMap<>();
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("\"([a-z0-9_]+)\":(-?[0-9.eE+-]+)").matcher(line);
        while (x.find()) m.put(x.group(1), Double.parseDouble(x.group(2)));
        return m;
    }
}
