package io.pollen.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk against {@code http://127.0.0.1:PORT/plaintext} and parses its report.
 *
 * <p>wrk runs under {@code bash -c '...; times'}: bash's {@code times} builtin prints the CPU time
 * of its finished children (wrk), so the generator's CPU share is exact, not sampled.
 * Pipelining uses {@code bench/native/pipeline.lua}: each wrk request is 16 GET requests in one
 * write, and wrk counts every response.
 */
final class Wrk {

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s");

    private Wrk() {}

    /**
     * One wrk run.
     *
     * @param cpus     taskset cpu list for wrk, or null for no pinning
     * @param pipeline requests per write (1 = no pipelining)
     * @return rps, p50_us, p99_us, gen_cpu (share of one core), errors
     */
    static Map<String, Double> run(int port, int threads, int connections, double seconds, int pipeline,
                                   String cpus, Path luaScript) throws IOException, InterruptedException {
        List<String> wrk = new ArrayList<>();
        if (cpus != null) wrk.addAll(List.of("taskset", "-c", cpus));
        wrk.addAll(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + fmt(seconds) + "s", "--latency", "--timeout", "5s"));
        if (pipeline > 1) wrk.addAll(List.of("-s", luaScript.toString()));
        wrk.add("http://127.0.0.1:" + port + "/plaintext");
        if (pipeline > 1) wrk.addAll(List.of("--", Integer.toString(pipeline)));
        String cmd = String.join(" ", wrk) + "; status=$?; times; exit $status";
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        if (status != 0) throw new IOException("wrk exited " + status + ": " + out);
        return parse(out, seconds, pipeline);
    }

    /** With pipelining wrk times only one response per batch, so its percentiles are left out. */
    static Map<String, Double> parse(String out, double seconds, int pipeline) throws IOException {
        Map<String, Double> r = new LinkedHashMap<>();
        Matcher m = RPS.matcher(out);
        if (!m.find()) throw new IOException("no Requests/sec in wrk output: " + out);
        r.put("rps", Double.parseDouble(m.group(1)));
        Matcher pm = PERCENTILE.matcher(pipeline > 1 ? "" : out);
        while (pm.find()) {
            String pct = pm.group(1);
            if (pct.equals("50") || pct.equals("99")) r.put("p" + pct + "_us", micros(pm.group(2), pm.group(3)));
        }
        double errors = 0;
        Matcher nm = NON_2XX.matcher(out);
        if (nm.find()) errors += Double.parseDouble(nm.group(1));
        Matcher sm = SOCKET_ERRORS.matcher(out);
        if (sm.find()) {
            for (int g = 1; g <= 4; g++) errors += Double.parseDouble(sm.group(g));
        }
        r.put("errors", errors);
        // The last "times" line is the children's (wrk's) user and system time.
        Matcher tm = TIMES.matcher(out);
        double cpu = -1;
        while (tm.find()) {
            cpu = Integer.parseInt(tm.group(1)) * 60 + Double.parseDouble(tm.group(2))
                    + Integer.parseInt(tm.group(3)) * 60 + Double.parseDouble(tm.group(4));
        }
        if (cpu >= 0) r.put("gen_cpu", cpu / seconds);
        return r;
    }

    private static double micros(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            default -> v * 1e6;
        };
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
