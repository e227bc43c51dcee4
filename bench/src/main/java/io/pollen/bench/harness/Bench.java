package io.pollen.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The comparative harness: starts each server in turn, validates it, warms it, loads it, stops
 * it; repeats interleaved rounds (A B C A B C ...) and writes medians and ratios to a report.
 * Run it through {@code bench/run.sh}, which builds everything and passes the paths.
 *
 * <pre>
 * Bench --classpath CP --native-dir DIR --lua PATH --echo-load PATH --out DIR [--smoke] [--rounds N] [--duration S]
 *       [--warmup S] [--short-warmup S] [--echo-warmup S] [--only a,b] [--no-echo] [--no-multi] [--no-scale] [--scale-conns N] [--command "..."]
 *       [--baseline LABEL=CLASSPATH]  (adds each Pollen server built from another commit: pollen-epoll@LABEL, ...)
 * </pre>
 *
 * <p>Exit status 1 when any available server failed validation or crashed, so CI notices rot;
 * a server whose transport is unavailable here (e.g. io_uring) or that is not built yet (Pollen)
 * is reported, not failed.
 */
public final class Bench {

    /**
     * Paths the harness launches things from; {@code nativeDir} holds the compiled C servers
     * ({@code epoll_http}, {@code uring_echo}), {@code echoLoad} is the compiled
     * {@code bench/native/echo_load.c}, the echo load generator.
     */
    record Env(Path java, String classpath, Path nativeDir, Path lua, Path echoLoad, Path logDir) {}

    /** How long and how much; {@link #smoke} and {@link #full} are the two presets. */
    record Config(boolean smoke, int rounds, int multiRounds, int scaleRounds, int warmup, int shortWarmup, int duration,
                  double echoWarmup, int connections, int pipeline, int scaleConns, boolean echo, boolean multi,
                  boolean scale, Set<String> only) {

        static Config of(Args a) {
            boolean smoke = a.flag("smoke");
            Set<String> only = a.value("only", null) == null ? Set.of()
                    : Arrays.stream(a.value("only", "").split(",")).map(String::trim).collect(Collectors.toSet());
            int rounds = a.intValue("rounds", smoke ? 1 : 3);
            return new Config(smoke, rounds,
                    a.intValue("multi-rounds", smoke ? 1 : Math.min(rounds, 2)),
                    a.intValue("scale-rounds", 1),
                    a.intValue("warmup", smoke ? 0 : 6),
                    a.intValue("short-warmup", smoke ? 0 : 3),
                    a.intValue("duration", smoke ? 1 : 3),
                    a.doubleValue("echo-warmup", smoke ? 0.3 : 5),
                    a.intValue("connections", 100),
                    16,
                    a.intValue("scale-conns", smoke ? 1000 : 10_000),
                    !a.flag("no-echo"), !a.flag("no-multi"), !a.flag("no-scale"), only);
        }

        Map<String, String> describe() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("mode", smoke ? "smoke" : "full");
            m.put("rounds", Integer.toString(rounds));
            m.put("multi_core_rounds", Integer.toString(multi ? multiRounds : 0));
            m.put("scale_rounds", Integer.toString(scale ? scaleRounds : 0));
            m.put("warmup_s", Integer.toString(warmup));
            m.put("multi_core_and_scale_warmup_s", Integer.toString(shortWarmup));
            m.put("duration_s", Integer.toString(duration));
            m.put("echo_warmup_s", Double.toString(echoWarmup));
            m.put("connections", Integer.toString(connections));
            m.put("pipeline_depth", Integer.toString(pipeline));
            m.put("echo_message_bytes", "32");
            m.put("scale_idle_connections", Integer.toString(scaleConns));
            return m;
        }
    }

    private Bench() {}

    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        Config cfg = Config.of(a);
        Path out = Path.of(a.value("out", "bench/results"));
        Path logDir = Path.of(a.value("logs", out.resolve("raw/logs").toString()));
        Files.createDirectories(out);
        Files.createDirectories(logDir);
        Env env = new Env(Path.of(System.getProperty("java.home"), "bin", "java"),
                a.value("classpath", System.getProperty("java.class.path")),
                Path.of(a.value("native-dir", "bench/target/native")),
                Path.of(a.value("lua", "bench/native/pipeline.lua")),
                Path.of(a.value("echo-load", "bench/target/native/echo_load")), logDir);
        Map<String, String> machine = MachineInfo.detect(a.value("command", "bench/run.sh" + (cfg.smoke ? " --smoke" : "")));
        int cpus = Runtime.getRuntime().availableProcessors();

        Results results = new Results();
        Runner runner = new Runner(env, cfg, results, cpus);
        List<ServerCatalog.Spec> catalog = new ArrayList<>(ServerCatalog.all());
        // --baseline LABEL=CLASSPATH: each Pollen server again, from another build (bench/ab.sh).
        String baseline = a.value("baseline", null);
        if (baseline != null && baseline.contains("=")) {
            String label = baseline.substring(0, baseline.indexOf('='));
            String cp = baseline.substring(baseline.indexOf('=') + 1);
            for (ServerCatalog.Spec s : ServerCatalog.all()) {
                if (s.isPollen()) catalog.add(ServerCatalog.baseline(s, label, cp));
            }
        }
        List<ServerCatalog.Spec> specs = catalog.stream()
                .filter(s -> cfg.only.isEmpty() || cfg.only.contains(s.name()))
                .toList();
        for (ServerCatalog.Spec s : specs) {
            String missing = s.missingReason();
            results.status.put(s.name(), missing == null ? "ok" : "missing: " + missing);
        }
        log("harness: %d cpus, %s mode, %d rounds, servers %s", cpus, cfg.smoke ? "smoke" : "full", cfg.rounds,
                specs.stream().map(ServerCatalog.Spec::name).toList());

        long start = System.nanoTime();
        for (int round = 1; round <= cfg.rounds; round++) {
            for (ServerCatalog.Spec s : specs) {
                if (runnable(results, s)) runner.suite(s, round);
            }
            if (cfg.multi && round <= cfg.multiRounds && cpus >= 2) {
                for (ServerCatalog.Spec s : specs) {
                    if (s.multiLoop() && runnable(results, s)) runner.multiCore(s, round, 2);
                }
            }
            log("round %d/%d done after %.0f s", round, cfg.rounds, (System.nanoTime() - start) / 1e9);
        }
        if (cfg.scale) {
            for (int round = 1; round <= cfg.scaleRounds; round++) {
                for (ServerCatalog.Spec s : specs) {
                    if (runnable(results, s) && !s.echoOnly()) runner.scale(s, round);
                }
            }
        }
        machine.put("elapsed_s", String.format(Locale.ROOT, "%.0f", (System.nanoTime() - start) / 1e9));
        machine.put("loadavg_end", MachineInfo.loadAverage());

        String stem = cfg.smoke ? "smoke-latest" : "latest";
        Path dir = cfg.smoke ? out.resolve("raw") : out;
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(stem + ".json"), results.json(machine, cfg.describe()));
        Files.writeString(dir.resolve(stem + ".csv"), results.csv());
        Files.writeString(dir.resolve(stem + ".svg"), SvgChart.render(results, specs, machine));
        Files.writeString(dir.resolve(stem + ".md"), Report.markdown(results, specs, machine, cfg, stem + ".svg"));
        log("wrote %s/%s.{md,svg,json,csv}", dir, stem);
        results.status.forEach((k, v) -> log("  %-15s %s", k, v));
        System.exit(results.failed() ? 1 : 0);
    }

    private static boolean runnable(Results r, ServerCatalog.Spec s) {
        return r.status.get(s.name()).equals("ok");
    }

    static void log(String fmt, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, fmt, args));
        System.err.flush();
    }

    /** An exception as one line: its type and message. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
    }
}
