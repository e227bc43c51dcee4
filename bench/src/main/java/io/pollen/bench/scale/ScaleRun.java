package io.pollen.bench.scale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue #4's scale run: the chapter's scenario — many tasks each GETting
 * {@code /delay/1000/url/http://www.google.com} from one slow server — at 10,000 concurrent
 * requests, once per client, each client in its own JVM, against a fresh Pollen demo server in yet
 * another JVM ({@link DemoServerMain}), all on 127.0.0.1.
 *
 * <p>Usage: {@code ScaleRun [--requests N] [--delay MS] [--clients a,b,c] [--rounds R]}; prints a
 * Markdown report (command, date, JDK, machine, one row per client run, and the two
 * targets checked against the figures) on standard output. Clients: {@code pollen} (Pollen's
 * HttpClient on one event-loop thread), {@code jdk-httpclient} ({@code java.net.http.HttpClient
 * .sendAsync}), {@code virtual-threads} (a virtual thread and a blocking {@code Socket} per
 * request). Every client JVM is started with the same flags ({@code -Dscale.jvmArgs="..."} adds
 * some); {@code -Dscale.serverJvmArgs="..."} and {@code -Dscale.serverLoops=N} (default 1) shape the
 * server's JVM.
 */
public final class ScaleRun {
    private static final long CLIENT_TIMEOUT_S = 180;

    private record Result(Map<String, String> fields, int exit, String profile) {
        double d(String k) {
            return Double.parseDouble(fields.getOrDefault(k, "NaN"));
        }
    }

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 10_000;
        long delay = 1_000;
        int rounds = 1;
        List<String> clients = List.of("pollen", "jdk-httpclient", "virtual-threads");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--delay" -> delay = Long.parseLong(args[++i]);
                case "--clients" -> clients = List.of(args[++i].split(","));
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ScaleRun [--requests N] [--delay MS] [--clients a,b,c] [--rounds R]");
                    System.exit(2);
                }
            }
        }
        String path = "/delay/" + delay + "/url/http://www.google.com";
        List<String[]> rows = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        Map<String, Result> best = new HashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String client : clients) {
                Result r = runOne(client, requests, path);
                rows.add(row(client, round, r));
                profiles.add(profileLine(client, round, r));
                best.merge(client, r, (a, b) -> a.d("wall_ms") <= b.d("wall_ms") ? a : b);
            }
        }
        print(requests, delay, path, rows, profiles, best, String.join(" ", args));
    }

    private static Result runOne(String client, int requests, String path) throws Exception {
        System.err.println("[scale] " + client + ": starting a fresh demo server");
        Process server = java(words(System.getProperty("scale.serverJvmArgs", "")),
                DemoServerMain.class.getName(), "127.0.0.1", "0", System.getProperty("scale.serverLoops", "1"));
        try {
            int port = awaitPort(server);
            System.err.println("[scale] " + client + ": " + requests + " GETs of " + path + " to 127.0.0.1:" + port);
            Process p = java(words(System.getProperty("scale.jvmArgs", "")), ClientMain.class.getName(), client, "127.0.0.1", String.valueOf(port),
                    String.valueOf(requests), path);
            p.getOutputStream().close();
            Map<String, String> fields = new HashMap<>();
            String profile = "";
            try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("RESULT ")) {
                        for (String kv : line.substring(7).split(" ")) {
                            int eq = kv.indexOf('=');
                            fields.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                    if (line.startsWith("PROFILE ")) {
                        profile = line.substring(line.indexOf(':') + 1).trim();
                    }
                    System.err.println("[" + client + "] " + line);
                }
            }
            if (!p.waitFor(CLIENT_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(client + " did not finish within " + CLIENT_TIMEOUT_S + " s");
            }
            if (fields.isEmpty()) {
                throw new IllegalStateException(client + " exited " + p.exitValue() + " without a RESULT line");
            }
            return new Result(fields, p.exitValue(), profile);
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    /** Starts a JVM like this one (same java, same class path) running {@code main}. */
    private static Process java(List<String> jvmArgs, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int awaitPort(Process server) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("LISTENING ")) {
                // Keep draining the server's output so it can never block on a full pipe.
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (r.readLine() != null) {
                            // discard
                        }
                    } catch (IOException ignored) {
                        // the server is gone
                    }
                });
                return Integer.parseInt(line.substring("LISTENING ".length()).trim());
            }
            System.err.println("[server] " + line);
        }
        throw new IOException("the demo server exited before listening");
    }

    private static String profileLine(String client, int round, Result r) {
        return "- " + client + " (round " + round + "): " + r.profile;
    }

    private static String[] row(String client, int round, Result r) {
        return new String[]{
                client, String.valueOf(round),
                r.fields.get("ok") + "/" + r.fields.get("requests"),
                fmt(r.d("wall_ms") / 1000, "%.3f"),
                fmt(r.d("cpu_run_ms") / 1000, "%.2f"),
                fmt(r.d("cpu_total_ms") / 1000, "%.2f"),
                fmt(r.d("peak_rss_kb") / 1024, "%.0f"),
                r.fields.get("peak_threads"),
                fmt(r.d("fastest_ms"), "%.0f") + " / " + fmt(r.d("slowest_ms"), "%.0f"),
        };
    }

    private static String fmt(double v, String f) {
        return String.format(Locale.ROOT, f, v);
    }

    private static void print(int requests, long delay, String path, List<String[]> rows, List<String> profiles,
                              Map<String, Result> best, String argLine) {
        StringBuilder out = new StringBuilder();
        out.append("# Issue #4: the chapter's scenario at scale\n\n");
        out.append("- Command: `bench/scale.sh").append(argLine.isEmpty() ? "" : " " + argLine).append("`\n");
        out.append("- Scenario: ").append(requests).append(" concurrent `GET ").append(path)
                .append("` (the server answers each after ").append(delay)
                .append(" ms, from a timer) against one Pollen demo server (DemoRoutes) in its own JVM, "
                        + "restarted for each client; each client in its own JVM, run in turn; 127.0.0.1 only.\n");
        out.append("- Wall: first request sent → last response read (JVM start-up excluded). CPU run: process CPU "
                + "(all threads, JIT and GC included) over that window; CPU total adds JVM start-up. "
                + "Peak RSS: VmHWM from /proc/self/status at the end.\n");
        out.append("- Date: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append('\n');
        out.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", default JVM flags for every process\n");
        out.append("- Machine: ").append(cpuModel()).append(", ").append(java.lang.Runtime.getRuntime().availableProcessors())
                .append(" cores (shared with other work), ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(", load average ").append(loadAverage()).append("\n\n");
        out.append("| client | round | ok | wall (s) | CPU run (s) | CPU total (s) | peak RSS (MiB) | peak threads | fastest / slowest request (ms) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String[] r : rows) {
            out.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        out.append("\nResponses completed per half second after the clock started (where the wall time went):\n\n");
        profiles.forEach(p -> out.append(p).append('\n'));
        Result pollen = best.get("pollen");
        Result jdk = best.get("jdk-httpclient");
        if (pollen != null) {
            out.append("\nTargets (best round of each client):\n\n");
            double wall = pollen.d("wall_ms") / 1000;
            out.append(String.format(Locale.ROOT, "- Pollen wall ≤ 1.3 s (ideal %.1f s): %.3f s — %s%n",
                    delay / 1000.0, wall, wall <= 1.3 ? "met" : "NOT met"));
            if (jdk != null) {
                double ratio = pollen.d("peak_rss_kb") / jdk.d("peak_rss_kb");
                out.append(String.format(Locale.ROOT,
                        "- Pollen peak RSS < half of HttpClient's: %.0f MiB vs %.0f MiB (%.2f×) — %s%n",
                        pollen.d("peak_rss_kb") / 1024, jdk.d("peak_rss_kb") / 1024, ratio, ratio < 0.5 ? "met" : "NOT met"));
            }
        }
        System.out.print(out);
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
