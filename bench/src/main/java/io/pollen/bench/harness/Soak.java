package io.pollen.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak run (issue #11): one {@code pollen serve}, started with default JVM flags, under mixed
 * load for about ten minutes, with its memory, descriptors and threads sampled every second.
 *
 * <pre>
 * Soak --pollen bin/pollen --native-dir bench/native --out bench/results [--phase-seconds 90] [--smoke]
 *      [--backend epoll|nio|io_uring|kqueue]
 * </pre>
 *
 * Phases, each followed by a quiet settle in which the server's descriptors must return to their
 * baseline: pipelined plaintext (wrk, 16 deep); 20 KB echoes (wrk POST); connection churn (wrk with
 * {@code Connection: close}); slowloris (trickled request heads) beside a well-behaved wrk load;
 * clients hanging up during {@code /delay/30000} beside a well-behaved wrk load; then all of them at
 * once. Well-behaved clients must see no error. The report is {@code soak.md}, {@code soak.svg} and
 * {@code soak.csv}; {@code --smoke} runs a few seconds per phase into {@code raw/} and exits 1 when an
 * invariant breaks (memory is reported, not judged, in so short a run), so CI keeps the harness and
 * the server honest. The server's output goes to {@code raw/<report>-server.log}; an uncaught
 * failure it reports on a loop breaks an invariant too (the server survives those, which is why
 * only its log shows them). {@code --backend} serves on that backend ({@code pollen serve --backend}) and
 * names the report after it ({@code soak-io_uring.md}); without it the server picks its own.
 */
public final class Soak {

    /** One phase's loads: wrk runs (well-behaved) and hostile clients. */
    record Phase(String name, int pipelinedConns, int echoConns, int churnConns, int plainConns,
                 int slowloris, int hangUpsPerSecond) {}

    /** What a phase measured. */
    record Outcome(Phase phase, double seconds, double requests, double errors, long rssMaxKib, long rssEndKib,
                   int fdsPeak, int fdsAfter, SoakClients.Counts hostile) {}

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");

    private Soak() {}

    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        boolean smoke = a.flag("smoke");
        int phaseSeconds = a.intValue("phase-seconds", smoke ? 4 : 90);
        int scale = smoke ? 5 : 1; // smoke: a fifth of the connections
        Path pollen = Path.of(a.value("pollen", "bin/pollen"));
        Path nativeDir = Path.of(a.value("native-dir", "bench/native"));
        Path out = Path.of(a.value("out", "bench/results"));
        if (smoke) out = out.resolve("raw");
        Files.createDirectories(out);
        String command = a.value("command", "bench/soak.sh");
        String backend = a.value("backend", null);
        String stem = "soak" + (backend == null ? "" : "-" + backend) + (smoke ? "-smoke" : "");

        List<Phase> phases = List.of(
                new Phase("pipelined", 64, 0, 0, 0, 0, 0),
                new Phase("echo 20 KB", 0, 16, 0, 0, 0, 0),
                new Phase("churn", 0, 0, 32, 0, 0, 0),
                new Phase("slowloris", 0, 0, 0, 16, 200 / scale, 0),
                new Phase("hang-ups", 0, 0, 0, 16, 0, 200 / scale),
                new Phase("mixed", 16, 8, 8, 0, 100 / scale, 100 / scale));

        int port = ServerProcess.freePorts(1)[0];
        List<String> serve = new ArrayList<>(List.of(pollen.toString(), "serve", "--port", Integer.toString(port)));
        if (backend != null) serve.addAll(List.of("--backend", backend));
        // The server's own output goes with the raw files (kept out of the repository): the report
        // counts what it says of failures on its loops.
        Path raw = smoke ? out : out.resolve("raw");
        Files.createDirectories(raw);
        Path serverLog = raw.resolve(stem + "-server.log");
        Process server = new ProcessBuilder(serve).redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
        List<Outcome> outcomes = new ArrayList<>();
        SoakSampler sampler = null;
        int baseline = -1;
        try {
            awaitListening(port, server, serverLog);
            warmUp(port, nativeDir, smoke ? 2 : 20);
            sampler = new SoakSampler(server.pid());
            baseline = settle(server.pid(), Integer.MAX_VALUE, 3);
            System.err.printf("[soak] server pid %d on port %d, baseline %d fds%n", server.pid(), port, baseline);
            for (Phase p : phases) {
                sampler.phase(p.name());
                outcomes.add(run(p, port, phaseSeconds, nativeDir, sampler, server.pid(), baseline));
                Outcome o = outcomes.getLast();
                System.err.printf("[soak] %-10s %9.0f req %4.0f errors, RSS max %d MiB, fds peak %d after %d%n",
                        p.name(), o.requests(), o.errors(), o.rssMaxKib() / 1024, o.fdsPeak(), o.fdsAfter());
                if (!server.isAlive()) break;
            }
            sampler.close();
        } finally {
            server.destroy(); // SIGTERM: the server drains and exits
            server.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(30), java.util.concurrent.TimeUnit.MILLISECONDS);
            server.destroyForcibly();
        }
        Map<String, String> machine = MachineInfo.detect(command);
        List<SoakSampler.Sample> samples = sampler == null ? List.of() : sampler.samples();
        SoakReport report = new SoakReport(outcomes, samples, baseline, phases.size(), machine,
                server.isAlive() ? -1 : server.exitValue(), backend, stem, loopFailures(serverLog));
        Files.writeString(out.resolve(stem + ".md"), report.markdown());
        Files.writeString(out.resolve(stem + ".svg"), report.svg());
        Files.writeString(out.resolve(stem + ".csv"), report.csv());
        System.out.println(report.markdown());
        List<String> missed = report.missedTargets();
        if (!missed.isEmpty()) {
            System.err.println("[soak] targets missed: " + String.join("; ", missed));
        }
        // A smoke run is seconds long: too short for memory to settle, so only the invariants fail it
        // (a dead server, leaked fds, errors for well-behaved clients, a bad exit after SIGTERM).
        if (smoke && !report.brokenInvariants().isEmpty()) {
            System.exit(1);
        }
    }

    private static Outcome run(Phase p, int port, int seconds, Path nativeDir, SoakSampler sampler, long pid, int baseline)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        SoakClients.Counts hostile = new SoakClients.Counts();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Map<String, Double>>> loads = new ArrayList<>();
        List<Future<?>> others = new ArrayList<>();
        String base = "http://127.0.0.1:" + port;
        if (p.pipelinedConns() > 0) {
            loads.add(pool.submit(wrk(p.pipelinedConns(), seconds, base + "/plaintext", 16,
                    List.of("-s", nativeDir.resolve("pipeline.lua").toString()), List.of("16"))));
        }
        if (p.echoConns() > 0) {
            loads.add(pool.submit(wrk(p.echoConns(), seconds, base + "/echo", 1,
                    List.of("-s", nativeDir.resolve("post.lua").toString()), List.of("20480"))));
        }
        if (p.churnConns() > 0) {
            loads.add(pool.submit(wrk(p.churnConns(), seconds, base + "/plaintext", 1,
                    List.of("-H", "Connection: close"), List.of())));
        }
        if (p.plainConns() > 0) {
            loads.add(pool.submit(wrk(p.plainConns(), seconds, base + "/plaintext", 1, List.of(), List.of())));
        }
        if (p.slowloris() > 0) {
            others.add(pool.submit(() -> {
                SoakClients.slowloris(port, p.slowloris(), 2000, deadline, hostile);
                return null;
            }));
        }
        if (p.hangUpsPerSecond() > 0) {
            others.add(pool.submit(() -> {
                SoakClients.hangUps(port, p.hangUpsPerSecond(), deadline, hostile);
                return null;
            }));
        }
        double requests = 0, errors = 0;
        for (Future<Map<String, Double>> f : loads) {
            Map<String, Double> r = f.get();
            requests += r.getOrDefault("requests", 0.0);
            errors += r.getOrDefault("errors", 0.0);
        }
        for (Future<?> f : others) f.get();
        pool.close();
        List<SoakSampler.Sample> during = sampler.samples().stream().filter(s -> s.phase().equals(p.name())).toList();
        long rssMax = during.stream().mapToLong(SoakSampler.Sample::rssKib).max().orElse(-1);
        int fdsPeak = during.stream().mapToInt(SoakSampler.Sample::fds).max().orElse(-1);
        sampler.phase(p.name() + " (settle)");
        int after = settle(pid, baseline, 15);
        return new Outcome(p, seconds, requests, errors, rssMax, ProcStat.rssKib(pid), fdsPeak, after, hostile);
    }

    /** A wrk run as a task: its parsed report plus the request count. */
    private static Callable<Map<String, Double>> wrk(int conns, int seconds, String url, int pipeline,
                                                     List<String> options, List<String> scriptArgs) {
        return () -> {
            List<String> cmd = new ArrayList<>(List.of("wrk", "-t1", "-c" + conns, "-d" + seconds + "s", "--timeout", "10s"));
            cmd.addAll(options);
            cmd.add(url);
            if (!scriptArgs.isEmpty()) {
                cmd.add("--");
                cmd.addAll(scriptArgs);
            }
            Process w = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (w.waitFor() != 0) throw new IOException("wrk exited " + w.exitValue() + ": " + text);
            Map<String, Double> r = new java.util.LinkedHashMap<>(Wrk.parse(text, seconds, pipeline));
            Matcher m = REQUESTS.matcher(text);
            r.put("requests", m.find() ? Double.parseDouble(m.group(1)) : 0);
            return r;
        };
    }

    /**
     * Waits up to {@code seconds} for the server's descriptors to drop to {@code target} (or to stop
     * changing, for the baseline) and returns the last count.
     */
    private static int settle(long pid, int target, int seconds) throws InterruptedException {
        int last = SoakSampler.fds(pid);
        for (int i = 0; i < seconds * 4 && last > target; i++) {
            Thread.sleep(250);
            int now = SoakSampler.fds(pid);
            if (target == Integer.MAX_VALUE && now == last && i >= 4) break;
            last = now;
        }
        return last;
    }

    /**
     * What the server's log says failed on its loops: the line after each "uncaught failure on"
     * (the loop's last-resort report; the exception's own line follows it).
     */
    static List<String> loopFailures(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("uncaught failure on ")) {
                failures.add(i + 1 < lines.size() ? lines.get(i + 1).strip() : "(no detail)");
            }
        }
        return failures;
    }

    private static void warmUp(int port, Path nativeDir, int seconds) throws Exception {
        wrk(8, seconds, "http://127.0.0.1:" + port + "/plaintext", 1, List.of(), List.of()).call();
    }

    private static void awaitListening(int port, Process server, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (!server.isAlive()) {
                // Its own words say why (an unavailable backend names the reason): quote the log.
                throw new IOException("pollen serve exited " + server.exitValue() + " at start: "
                        + Files.readString(log, StandardCharsets.ISO_8859_1).strip());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("pollen serve did not listen on port " + port + " within 30 s");
    }
}
