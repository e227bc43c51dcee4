package io.pollen.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the measurements against one server process: the one-loop suite (HTTP with and without
 * pipelining, echo ping-pong and pipelined), the multi-core HTTP run and the scale run.
 *
 * <p>Pinning (when the machine has more cpus than the server has loops): the server runs on cpus
 * {@code 0..loops-1} and every generator (wrk, {@code bench/native/echo_load.c}, IdleConnections) on the remaining cpus,
 * so with one loop on 2 cpus each side owns a core. When the server has as many loops as there
 * are cpus, neither is pinned: they share the machine, which is why every sample records the
 * generator's and the server's cpu share.
 */
final class Runner {

    static final String HTTP = "http";
    static final String HTTP_PIPE = "http-pipe16";
    static final String ECHO_PINGPONG = "echo-pingpong";
    static final String ECHO_PIPE = "echo-pipe16";
    static final String HTTP_2 = "http-2loops";
    static final String HTTP_PIPE_2 = "http-pipe16-2loops";
    static final String SCALE = "scale";

    private final Bench.Env env;
    private final Bench.Config cfg;
    private final Results results;
    private final int cpus;

    Runner(Bench.Env env, Bench.Config cfg, Results results, int cpus) {
        this.env = env;
        this.cfg = cfg;
        this.results = results;
        this.cpus = cpus;
    }

    String serverCpus(int loops) {
        return cpus > loops ? (loops == 1 ? "0" : "0-" + (loops - 1)) : null;
    }

    String generatorCpus(int loops) {
        return cpus > loops ? (loops == cpus - 1 ? Integer.toString(loops) : loops + "-" + (cpus - 1)) : null;
    }

    /** One loop: validate, warm, then HTTP x2 and echo x2 (echo only for a server that serves nothing else). */
    void suite(ServerCatalog.Spec spec, int round) {
        run(spec, round, 1, s -> {
            if (!spec.echoOnly()) {
                wrk(s, 1, 1, cfg.warmup());
                record(spec, HTTP, round, wrk(s, 1, 1, cfg.duration()));
                record(spec, HTTP_PIPE, round, wrk(s, 1, cfg.pipeline(), cfg.duration()));
            }
            if (cfg.echo()) {
                List<Map<String, Double>> echo = echo(s, 1, 1, cfg.pipeline());
                record(spec, ECHO_PINGPONG, round, echo.get(0));
                record(spec, ECHO_PIPE, round, echo.get(1));
            }
        });
    }

    /** N loops, HTTP only; wrk gets as many threads as the server has loops. */
    void multiCore(ServerCatalog.Spec spec, int round, int loops) {
        run(spec, round, loops, s -> {
            wrk(s, loops, 1, cfg.shortWarmup());
            record(spec, HTTP_2, round, wrk(s, loops, 1, cfg.duration()));
            record(spec, HTTP_PIPE_2, round, wrk(s, loops, cfg.pipeline(), cfg.duration()));
        });
    }

    /** Idle connections: RSS growth per connection, then throughput of 100 active ones beside them. */
    void scale(ServerCatalog.Spec spec, int round) {
        run(spec, round, 1, s -> {
            wrk(s, 1, 1, cfg.shortWarmup());
            Thread.sleep(cfg.smoke() ? 200 : 1000); // let the warm-up's garbage and buffers settle
            long before = s.rssKib();
            List<String> cmd = generatorJvm(1, "IdleConnections",
                    "--port", Integer.toString(s.httpPort), "--count", Integer.toString(cfg.scaleConns()));
            Process holder = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.appendTo(env.logDir().resolve("generators.log").toFile()))
                    .start();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                String line = r.readLine();
                if (line == null || !line.startsWith("HELD ")) {
                    throw new IOException("IdleConnections failed (see generators.log): " + line);
                }
                Thread.sleep(cfg.smoke() ? 200 : 1000);
                long held = s.rssKib();
                Map<String, Double> m = wrk(s, 1, 1, cfg.duration());
                m.put("rss_base_kib", (double) before);
                m.put("rss_held_kib", (double) held);
                m.put("idle_connections", (double) cfg.scaleConns());
                m.put("kib_per_conn", (held - before) / (double) cfg.scaleConns());
                record(spec, SCALE, round, m);
            } finally {
                holder.getOutputStream().close(); // tells it to reset its connections and exit
                if (!holder.waitFor(30, TimeUnit.SECONDS)) holder.destroyForcibly().waitFor();
            }
        });
    }

    private interface Work {
        void accept(ServerProcess s) throws Exception;
    }

    private void run(ServerCatalog.Spec spec, int round, int loops, Work work) {
        String tag = spec.name() + " loops=" + loops + " round " + round;
        Path log = env.logDir().resolve(spec.name() + ".log");
        long t0 = System.nanoTime();
        try (ServerProcess s = ServerProcess.start(spec, env, loops, serverCpus(loops), log)) {
            if (spec.echoOnly()) {
                Validator.checkEcho(s.echoPort);
            } else {
                results.responses.putIfAbsent(spec.name(), Validator.check(s.httpPort, s.echoPort));
            }
            work.accept(s);
            if (!s.isAlive()) throw new IOException("server died during the run; see " + log);
            Bench.log("%s: %.1f s", tag, (System.nanoTime() - t0) / 1e9);
        } catch (ServerProcess.UnavailableException e) {
            results.status.put(spec.name(), "unavailable: " + e.getMessage());
            Bench.log("%s: unavailable: %s", tag, e.getMessage());
        } catch (Exception e) {
            results.status.put(spec.name(), "FAILED: " + tag + ": " + Bench.describe(e));
            Bench.log("%s: FAILED: %s", tag, Bench.describe(e));
        }
    }

    private Map<String, Double> wrk(ServerProcess s, int loops, int pipeline, int seconds)
            throws IOException, InterruptedException {
        if (seconds <= 0) return new LinkedHashMap<>(); // a warm-up of 0 s: skipped
        long cpu0 = s.cpuNanos();
        long t0 = System.nanoTime();
        Map<String, Double> m = Wrk.run(s.httpPort, Math.min(loops, cpus), cfg.connections(), seconds, pipeline,
                generatorCpus(loops), env.lua());
        m.put("server_cpu", (s.cpuNanos() - cpu0) / (double) (System.nanoTime() - t0));
        return new LinkedHashMap<>(m);
    }

    /** One echo_load process measuring each depth in turn on fresh connections; one result per depth. */
    private List<Map<String, Double>> echo(ServerProcess s, int loops, int... depths) throws IOException, InterruptedException {
        StringBuilder depthList = new StringBuilder();
        for (int d : depths) depthList.append(depthList.isEmpty() ? "" : ",").append(d);
        List<String> cmd = pinned(loops, env.echoLoad().toString(), "--port", Integer.toString(s.echoPort),
                "--conns", Integer.toString(cfg.connections()), "--depths", depthList.toString(),
                "--warmup", Double.toString(cfg.echoWarmup()), "--duration", Integer.toString(cfg.duration()));
        long cpu0 = s.cpuNanos();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(env.logDir().resolve("generators.log").toFile()))
                .start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().lines().toList();
        if (p.waitFor() != 0 || lines.size() != depths.length) {
            throw new IOException("echo_load failed (see generators.log): " + lines);
        }
        // The server's cpu over the generator's whole life (connects, warm-ups, all depths): an approximation.
        double serverCpu = (s.cpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
        List<Map<String, Double>> out = new ArrayList<>();
        for (String line : lines) {
            Map<String, Double> m = Results.parseFlatJson(line);
            m.put("server_cpu", serverCpu);
            if (m.getOrDefault("errors", 0.0) > 0) throw new IOException("echo returned wrong bytes: " + line);
            out.add(m);
        }
        return out;
    }

    private List<String> generatorJvm(int loops, String main, String... args) {
        List<String> cmd = pinned(loops, env.java().toString(), "-Xms256m", "-Xmx1g", "-XX:+UseParallelGC",
                "-cp", env.classpath(), "io.pollen.bench.harness." + main);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A generator's command, behind {@code taskset -c} on the generator cpus when there are some. */
    private List<String> pinned(int loops, String... command) {
        List<String> cmd = new ArrayList<>();
        String gen = generatorCpus(loops);
        if (gen != null) cmd.addAll(List.of("taskset", "-c", gen));
        cmd.addAll(List.of(command));
        return cmd;
    }

    private void record(ServerCatalog.Spec spec, String scenario, int round, Map<String, Double> m) throws IOException {
        // Throughput per second of server cpu: what each request or message costs the server,
        // much less sensitive than raw throughput to other work stealing the server's core.
        double work = m.getOrDefault("rps", m.getOrDefault("rate", 0.0));
        double cpu = m.getOrDefault("server_cpu", 0.0);
        if (work > 0 && cpu > 0.01) m.put("per_cpu", work / cpu);
        m.put("loadavg1", MachineInfo.loadAverage1()); // other work on the machine, to judge the noise

        results.add(spec.name(), scenario, round, m);
        Bench.log("%-15s %-19s r%d  %s", spec.name(), scenario, round, summary(m));
        if (m.getOrDefault("errors", 0.0) > 0) { // non-2xx answers or socket errors: not a measurement of serving
            throw new IOException(scenario + ": the generator saw " + Results.num(m.get("errors")) + " errors");
        }
    }

    private static String summary(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        for (String k : List.of("rps", "rate", "p50_us", "p99_us", "p999_us", "gen_cpu", "server_cpu", "kib_per_conn")) {
            if (m.containsKey(k)) b.append(k).append('=').append(Results.num(m.get(k))).append(' ');
        }
        return b.toString().trim();
    }
}
