package io.pollen.bench.scale;

import io.pollen.bench.harness.MachineInfo;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
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
 * requests, per client, each client in its own JVM, against a fresh Pollen demo server in yet
 * another JVM ({@link DemoServerMain}), all on 127.0.0.1.
 *
 * <p>Usage: {@code ScaleRun [--requests N] [--delay MS] [--clients a,b,c] [--rounds R] [--passes P]};
 * prints a Markdown report (command, date, JDK, machine, one row per pass, the medians over the
 * rounds, and the two targets checked against the medians) on standard output. Clients:
 * {@code pollen} (Pollen's HttpClient on one event-loop thread), {@code jdk-httpclient}
 * ({@code java.net.http.HttpClient.sendAsync}), {@code virtual-threads} (a virtual thread and a
 * blocking {@code Socket} per request), and {@code c-epoll}, a single-threaded C client on raw
 * epoll that makes only the system calls the scenario needs: the floor for one thread on this
 * machine.
 *
 * <p>Before the clients it measures the one-thread floor: {@code N} requests sent from one thread,
 * each on its own loopback connection, to a bare acceptor ({@code bench/native/send_floor.c}). The
 * server notes when each request arrives ({@link DemoServerMain}), so each pass also reports when
 * the server had all of them. In each of {@code R} rounds (default 3), each client runs the
 * scenario {@code P} times in a row (default 3) against a server of its own: pass 1 is a cold JVM,
 * where the JIT compilers compete for the two cores with the requests; the last pass is the same
 * code warmed up (10,000 requests of pass 1 do not finish the compiling: pass 2 is still faster
 * than pass 1 and slower than pass 3). Every pass sends to a server port no earlier pass used (the
 * server listens on one port per pass), so that no pass's connects meet TIME_WAIT sockets of the
 * same address pair, which an earlier pass's closed connections leave for 60 s. Every client JVM
 * is started with the same flags ({@code -Dscale.jvmArgs="..."} adds some);
 * {@code -Dscale.serverJvmArgs="..."} and {@code -Dscale.serverLoops=N} (default 1) shape the
 * server's JVM.
 */
public final class ScaleRun {
    private static final long CLIENT_TIMEOUT_S = 600;
    /** The reference client in C ({@code bench/native/delay_client.c}), run like the Java ones. */
    private static final String C_CLIENT = "c-epoll";
    private static final String USAGE =
            "usage: ScaleRun [--requests N] [--delay MS] [--clients a,b,c] [--rounds R] [--passes P]";

    /**
     * One pass of one client: its RESULT fields, its completion profile, the kernel's TCP counters,
     * the server's arrival report and the machine's CPU samples over the pass.
     */
    private record Result(String client, int round, Map<String, String> fields, String profile, TcpCounters tcp,
                          Map<String, String> arrivals, CpuSampler cpu) {
        double d(String k) {
            return Double.parseDouble(fields.getOrDefault(k, "NaN"));
        }

        int pass() {
            return Integer.parseInt(fields.get("pass"));
        }

        /**
         * The server's {@code nanoTime} of the pass's last request, and the client's clock start in
         * the same clock (CLOCK_MONOTONIC); null if either is unknown or the server saw a different
         * number of requests than were sent.
         */
        private long[] sendingWindow() {
            long t0 = Long.parseLong(fields.getOrDefault("t0_ns", "0"));
            return t0 == 0 || !fields.get("requests").equals(arrivals.get("count")) ? null
                    : new long[]{t0, Long.parseLong(arrivals.get("last_ns"))};
        }

        /** Seconds from the client's clock start until the server had the pass's last request; NaN if unknown. */
        double allInSeconds() {
            long[] w = sendingWindow();
            return w == null ? Double.NaN : (w[1] - w[0]) / 1e9;
        }

        /** The share of both cores' time idle while the requests went out; NaN if unknown. */
        double idleWhileSending() {
            long[] w = sendingWindow();
            return w == null ? Double.NaN : cpu.idleBetween(w[0], w[1]);
        }
    }

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        int requests = 10_000;
        long delay = 1_000;
        int rounds = 3;
        int passes = 3;
        List<String> clients = List.of("pollen", "jdk-httpclient", "virtual-threads", C_CLIENT);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--delay" -> delay = Long.parseLong(args[++i]);
                case "--clients" -> clients = List.of(args[++i].split(","));
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--passes" -> passes = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        }
        String path = "/delay/" + delay + "/url/http://www.google.com";
        List<Double> floor = sendFloor(requests, 1);
        List<Double> floor2 = sendFloor(requests, 2);
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (String client : clients) {
                results.addAll(runOne(client, round, requests, path, passes));
            }
        }
        print(requests, delay, path, passes, floor, floor2, results, String.join(" ", args));
    }

    /**
     * {@code requests} requests sent from {@code threads} threads, each on its own loopback
     * connection, to a bare acceptor ({@code bench/native/send_floor.c}), three times: milliseconds
     * each. With one thread: the least time a one-thread client needs to get its last request out,
     * whatever the client and the server.
     */
    private static List<Double> sendFloor(int requests, int threads) throws Exception {
        Process p = new ProcessBuilder(System.getProperty("scale.sendFloor", "bench/target/native/send_floor"),
                String.valueOf(requests), "3", String.valueOf(threads)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Double> ms = new ArrayList<>();
        try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("FLOOR ")) {
                    ms.add(Double.parseDouble(parseFields(line.substring(6)).get("ms")));
                }
            }
        }
        if (p.waitFor() != 0 || ms.size() != 3) {
            throw new IllegalStateException("send_floor exited " + p.exitValue() + " after " + ms.size() + " of 3 runs");
        }
        System.err.println("[scale] " + threads + "-thread floor for " + requests + " requests: " + ms + " ms");
        return ms;
    }

    /** One client JVM against one fresh server: {@code passes} results, in order. */
    private static List<Result> runOne(String client, int round, int requests, String path, int passes)
            throws Exception {
        System.err.println("[scale] " + client + ": starting a fresh demo server");
        try (ServerProcess server = ServerProcess.start(words(System.getProperty("scale.serverJvmArgs", "")),
                System.getProperty("scale.serverLoops", "1"), passes)) {
            System.err.println("[scale] " + client + ": " + passes + " × " + requests + " GETs of " + path
                    + " to 127.0.0.1, ports " + server.ports() + " (one per pass)");
            String[] clientArgs = {"127.0.0.1", String.valueOf(server.ports().getFirst()), String.valueOf(requests), path,
                    String.valueOf(passes)};
            Process p = client.equals(C_CLIENT)
                    ? new ProcessBuilder(concat(System.getProperty("scale.cClient", "bench/target/native/delay_client"),
                            clientArgs)).redirectError(ProcessBuilder.Redirect.INHERIT).start()
                    : java(words(System.getProperty("scale.jvmArgs", "")), ClientMain.class.getName(),
                            concat(client, clientArgs)).start();
            List<Result> out = new ArrayList<>();
            TcpCounters before = TcpCounters.read();
            CpuSampler cpu = null;
            try (BufferedReader lines = p.inputReader(StandardCharsets.UTF_8);
                 java.io.Writer go = p.outputWriter(StandardCharsets.UTF_8)) {
                Map<String, String> fields = null;
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        int port = server.ports().get(out.size());
                        System.err.println("[scale] " + client + " pass " + (out.size() + 1) + ": port " + port + ", "
                                + TcpCounters.timeWait() + " TCP sockets in TIME_WAIT (none to this port)");
                        before = TcpCounters.read();
                        server.arrivals(); // starts the count afresh (the client's warm-up request is not in it)
                        cpu = CpuSampler.start();
                        go.write("GO " + port + "\n");
                        go.flush();
                    } else if (line.startsWith("RESULT ")) {
                        fields = parseFields(line.substring(7));
                    } else if (line.startsWith("PROFILE ") && fields != null && cpu != null) {
                        TcpCounters after = TcpCounters.read();
                        cpu.close();
                        out.add(new Result(client, round, fields, line.substring(line.indexOf(':') + 1).trim(),
                                after.minus(before), server.arrivals(), cpu));
                        before = after;
                        fields = null;
                    } else {
                        System.err.println("[" + client + "] " + line);
                    }
                }
            } finally {
                if (cpu != null) {
                    cpu.close();
                }
            }
            if (!p.waitFor(CLIENT_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(client + " did not finish within " + CLIENT_TIMEOUT_S + " s");
            }
            if (out.size() != passes) {
                throw new IllegalStateException(client + " exited " + p.exitValue() + " after " + out.size()
                        + " of " + passes + " passes");
            }
            return out;
        }
    }


    static Map<String, String> parseFields(String s) {
        Map<String, String> fields = new HashMap<>();
        for (String kv : s.split(" ")) {
            int eq = kv.indexOf('=');
            fields.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return fields;
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** A JVM like this one (same java, same class path) running {@code main}; stderr inherited. */
    static ProcessBuilder java(List<String> jvmArgs, String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    private static String[] row(Result r) {
        return new String[]{
                r.client, String.valueOf(r.round), r.pass() == 1 ? "1 (cold)" : String.valueOf(r.pass()),
                r.fields.get("ok") + "/" + r.fields.get("requests"),
                fmt(r.d("wall_ms") / 1000, "%.3f"),
                fmt(r.allInSeconds(), "%.3f"),
                fmt(r.idleWhileSending() * 100, "%.0f"),
                fmt(r.d("cpu_run_ms") / 1000, "%.2f"),
                fmt(r.d("peak_rss_kb") / 1024, "%.0f"),
                r.fields.get("peak_threads"),
                fmt(r.d("fastest_ms"), "%.0f") + " / " + fmt(r.d("slowest_ms"), "%.0f"),
                r.tcp.listenOverflows() + " / " + r.tcp.synRetransmits(),
        };
    }

    private static String fmt(double v, String f) {
        return String.format(Locale.ROOT, f, v);
    }

    /** The median over the rounds of {@code f} for {@code client}'s pass {@code pass}; NaN if it never ran. */
    private static double median(List<Result> results, String client, int pass, java.util.function.ToDoubleFunction<Result> f) {
        return median(results.stream().filter(r -> r.client.equals(client) && r.pass() == pass).mapToDouble(f));
    }

    /** The median of {@code values}; NaN if there are none. */
    private static double median(java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** "418, 359, 438": the floor runs' milliseconds, for the report. */
    private static String joinedMs(List<Double> ms) {
        return ms.stream().map(v -> fmt(v, "%.0f")).collect(java.util.stream.Collectors.joining(", "));
    }

    private static void print(int requests, long delay, String path, int passes, List<Double> floorMs,
                              List<Double> floor2Ms, List<Result> results, String argLine) {
        double floor = median(floorMs.stream().mapToDouble(Double::doubleValue)) / 1000;
        double floorWall = floor + delay / 1000.0;
        double floor2 = median(floor2Ms.stream().mapToDouble(Double::doubleValue)) / 1000;
        StringBuilder out = new StringBuilder();
        out.append("# Issue #4: the chapter's scenario at scale\n\n");
        out.append("- Command: `bench/scale.sh").append(argLine.isEmpty() ? "" : " " + argLine).append("`, at git ")
                .append(MachineInfo.gitCommit()).append('\n');
        out.append("- Scenario: ").append(requests).append(" concurrent `GET ").append(path)
                .append("` (the server answers each after ").append(delay)
                .append(" ms, from a timer) against one Pollen demo server (DemoRoutes, one event loop) in its own "
                        + "JVM, restarted for each client; each client in its own JVM, run in turn, ").append(passes)
                .append(" passes in a row; 127.0.0.1 only.\n");
        out.append("- Pass 1 is a fresh client JVM against a fresh server JVM: the JIT compilers of both run "
                + "during it, on the same two cores. Later passes run the same code warmed up. Each pass "
                + "sends to a server port no earlier pass used (the server listens on one port per pass), so no "
                + "pass's connects meet the TIME_WAIT sockets an earlier pass's closed connections leave behind. `c-epoll` is "
                + "bench/native/delay_client.c: one thread on raw epoll, only the system calls the scenario "
                + "needs (the floor for one thread on this machine).\n");
        out.append("- Wall: first request sent → last response read (JVM start-up excluded). CPU: process CPU "
                + "(all threads, JIT and GC included) over that window. Peak RSS: VmHWM from /proc/self/status "
                + "at the end of the pass (the process's high-water mark so far). All requests in: when the "
                + "server had the last of the pass's requests, from the same clock start (CLOCK_MONOTONIC, "
                + "shared by the processes): the wall time is this, plus the delay, plus the last answers' "
                + "trip back. Cores idle meanwhile: the share of both cores' time that was idle from the clock "
                + "start until all requests were in (/proc/stat, every process and the kernel's interrupt work "
                + "counted; near 0: the machine was saturated while the requests went out). Overflows / SYN retransmits: "
                + "the kernel's TcpExt ListenOverflows and TCPSynRetrans during the pass (a connect that "
                + "overflows the server's accept queue is retried by the kernel after 1 s).\n");
        out.append(String.format(Locale.ROOT, "- One-thread floor: %d requests sent from one thread, each on its own "
                + "loopback connection (socket, connect, send), to a bare acceptor thread in the same process that "
                + "reads each and closes (bench/native/send_floor.c), took %s ms, median %.0f ms. On loopback a "
                + "connect runs both sides of the handshake in the caller's system call, so a one-thread client "
                + "cannot get its last request out sooner than that after its first, whatever the client and the "
                + "server: no one-thread client can finish this scenario here in less than %.3f s (floor + delay). "
                + "Two threads sharing the sends took %s ms, median %.0f ms: even a client that spread its "
                + "connects over both cores, against a server that did nothing, would need %.3f s.%n", requests,
                joinedMs(floorMs),
                floor * 1000, floorWall,
                joinedMs(floor2Ms),
                floor2 * 1000, floor2 + delay / 1000.0));
        out.append("- Date: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append('\n');
        out.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", default JVM flags for every process\n");
        out.append("- Machine: ").append(MachineInfo.cpuModel()).append(", ").append(java.lang.Runtime.getRuntime().availableProcessors())
                .append(" cores (shared with other work), ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(", load average ").append(MachineInfo.loadAverage())
                .append(", net.core.somaxconn ").append(TcpCounters.somaxconn()).append("\n\n");
        out.append("| client | round | pass | ok | wall (s) | all requests in (s) | cores idle meanwhile (%) | CPU (s) "
                + "| peak RSS (MiB) | peak threads | fastest / slowest request (ms) | overflows / SYN retransmits |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            out.append("| ").append(String.join(" | ", row(r))).append(" |\n");
        }
        out.append("\nResponses completed per half second after the clock started (where the wall time went):\n\n");
        for (Result r : results) {
            out.append("- ").append(r.client).append(" (round ").append(r.round).append(", pass ").append(r.pass())
                    .append("): ").append(r.profile).append('\n');
        }
        List<String> clients = results.stream().map(Result::client).distinct().toList();
        int rounds = (int) results.stream().mapToInt(Result::round).distinct().count();
        out.append(String.format(Locale.ROOT, "%nMedians over %d round%s (warm: pass %d, the last; the JIT compilers "
                + "may still be busy in the passes between):%n%n", rounds, rounds == 1 ? "" : "s", passes));
        out.append("| client | wall, pass 1 (cold) (s) | wall, warm (s) | all requests in, warm (s) | CPU, warm (s) "
                + "| peak RSS, pass 1 (MiB) |\n|---|---:|---:|---:|---:|---:|\n");
        for (String c : clients) {
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f |%n", c,
                    median(results, c, 1, r -> r.d("wall_ms") / 1000),
                    median(results, c, passes, r -> r.d("wall_ms") / 1000),
                    median(results, c, passes, Result::allInSeconds),
                    median(results, c, passes, r -> r.d("cpu_run_ms") / 1000),
                    median(results, c, 1, r -> r.d("peak_rss_kb") / 1024)));
        }
        double coldPollen = median(results, "pollen", 1, r -> r.d("wall_ms") / 1000);
        double warmPollen = median(results, "pollen", passes, r -> r.d("wall_ms") / 1000);
        double warmC = median(results, C_CLIENT, passes, r -> r.d("wall_ms") / 1000);
        if (!Double.isNaN(coldPollen)) {
            out.append("\nTargets (on the medians):\n\n");
            List<double[]> walls = passes == 1 ? List.<double[]>of(new double[]{1, coldPollen})
                    : List.of(new double[]{1, coldPollen}, new double[]{passes, warmPollen});
            for (double[] w : walls) {
                out.append(String.format(Locale.ROOT, "- Pollen wall ≤ 1.3 s (ideal %.1f s), %s: %.3f s — %s%n",
                        delay / 1000.0, w[0] == 1 ? "cold (pass 1)" : "warm (pass " + passes + ")", w[1],
                        w[1] <= 1.3 ? "met" : "NOT met" + (floorWall > 1.3
                                ? String.format(Locale.ROOT, " (the one-thread floor here is %.3f s; two threads: %.3f s)",
                                floorWall, floor2 + delay / 1000.0) : "")));
            }
            if (passes > 1 && !Double.isNaN(warmC)) {
                out.append(String.format(Locale.ROOT, "- Pollen warm against the C one-thread client warm: %.3f s vs "
                        + "%.3f s (%.2f×)%n", warmPollen, warmC, warmPollen / warmC));
            }
            double rssPollen = median(results, "pollen", 1, r -> r.d("peak_rss_kb") / 1024);
            double rssJdk = median(results, "jdk-httpclient", 1, r -> r.d("peak_rss_kb") / 1024);
            if (!Double.isNaN(rssJdk)) {
                // Pass 1's peak: each process's first run of the scenario, before any later pass can
                // add to the heap it keeps.
                out.append(String.format(Locale.ROOT,
                        "- Pollen peak RSS < half of HttpClient's (pass 1): %.0f MiB vs %.0f MiB (%.2f×) — %s%n",
                        rssPollen, rssJdk, rssPollen / rssJdk, rssPollen / rssJdk < 0.5 ? "met" : "NOT met"));
            }
        }
        System.out.print(out);
    }
}
