package io.pollen.bench.harness;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The Markdown report: machine and command, method, server status, then one table per scenario
 * with medians over the rounds, the spread, latency, cpu shares and ratios against the C
 * reference and Netty epoll, all from the same run.
 */
final class Report {

    /** A table of the report: which samples, which metric ranks the servers, how to label it. */
    record Scenario(String id, String title, String metric, String unit, String chart) {}

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario(Runner.HTTP,
                    "HTTP plaintext, 100 connections, no pipelining, 1 loop",
                    "rps", "req/s", "HTTP, no pipelining, 1 loop"),
            new Scenario(Runner.HTTP_PIPE,
                    "HTTP plaintext, 100 connections, 16 pipelined, 1 loop",
                    "rps", "req/s", "HTTP, 16 pipelined, 1 loop"),
            new Scenario(Runner.ECHO_PINGPONG,
                    "TCP echo 32 B, 100 connections, ping-pong, 1 loop",
                    "rate", "msg/s", "Echo ping-pong, 1 loop"),
            new Scenario(Runner.ECHO_PIPE,
                    "TCP echo 32 B, 100 connections, 16 in flight, 1 loop",
                    "rate", "msg/s", "Echo 16 in flight, 1 loop"),
            new Scenario(Runner.HTTP_2,
                    "HTTP plaintext, no pipelining, 2 loops (unpinned, shares 2 cpus with wrk)",
                    "rps", "req/s", "HTTP, no pipelining, 2 loops (shared cpus)"),
            new Scenario(Runner.HTTP_PIPE_2,
                    "HTTP plaintext, 16 pipelined, 2 loops (unpinned, shares 2 cpus with wrk)",
                    "rps", "req/s", "HTTP, 16 pipelined, 2 loops (shared cpus)"),
            new Scenario(Runner.SCALE,
                    "Scale: 100 active connections beside the idle ones, 1 loop",
                    "rps", "req/s", "Scale: HTTP beside idle connections"),
            new Scenario(Runner.SCALE,
                    "Scale: RSS growth per idle keep-alive connection",
                    "kib_per_conn", "KiB/conn", "Scale: RSS growth per idle connection"));

    private Report() {}

    static String markdown(Results r, List<ServerCatalog.Spec> specs, Map<String, String> machine, Bench.Config cfg,
                           String svg) {
        StringBuilder b = new StringBuilder();
        b.append("# Pollen against the field: comparative benchmarks\n\n");
        b.append(cfg.smoke() ? "**Smoke run** (one short round: proves the harness works; the figures mean little).\n\n" : "");
        b.append("Command: `").append(machine.get("command")).append("`  \n");
        b.append("Date: ").append(machine.get("date")).append(", git ").append(machine.get("git_commit"))
                .append(", ").append(machine.get("elapsed_s")).append(" s  \n");
        b.append("Machine: ").append(machine.get("nproc")).append(" cpus (").append(machine.get("cpu_model"))
                .append("), ").append(machine.get("memory")).append(" RAM, Linux ").append(machine.get("kernel")).append("  \n");
        b.append("JDK: ").append(machine.get("jdk")).append("; ").append(machine.get("wrk")).append("; ")
                .append(machine.get("gcc")).append("  \n");
        b.append("Load average (other work on the machine) at start: ").append(machine.get("loadavg_start"))
                .append(", at end: ").append(machine.get("loadavg_end"));
        double[] load = r.samples.stream().mapToDouble(x -> x.metrics().getOrDefault("loadavg1", -1.0))
                .filter(v -> v >= 0).sorted().toArray();
        if (load.length > 0) {
            b.append("; 1-min load average at the samples: ").append(String.format(Locale.ROOT, "%.1f–%.1f (median %.1f)",
                    load[0], load[load.length - 1], load[load.length / 2]));
        }
        b.append("\n\n");
        b.append("![chart](").append(svg).append(")\n\n");

        b.append("## Method\n\n");
        b.append("Each server is its own process on 127.0.0.1, started, validated (3 pipelined GETs, a 404, a 64 KiB echo), ")
                .append("warmed with wrk for ").append(cfg.warmup()).append(" s (")
                .append(cfg.shortWarmup()).append(" s before the multi-core and scale runs: the JIT of a JVM pinned to one ")
                .append("cpu competes with the server for it), measured, stopped; rounds are interleaved ")
                .append("(A B C … A B C …) and each figure is the **median of ").append(cfg.rounds()).append(" rounds** ")
                .append("(range = min–max over rounds). Each measurement lasts ").append(cfg.duration()).append(" s. ")
                .append("With 1 loop the server is pinned to cpu 0 (`taskset -c 0`) and the generator to cpu 1, ")
                .append("so each owns a core. With 2 loops neither is pinned: on a 2-cpu machine they share it, ")
                .append("so the generator's cpu share is recorded (1.0 = one full core). ")
                .append("HTTP load: wrk, ").append(cfg.connections()).append(" connections, 1 thread per server loop, ")
                .append("pipelining through `bench/native/pipeline.lua`. Echo load: `bench/native/echo_load.c`, one C epoll thread, ")
                .append(cfg.connections()).append(" connections, 32-byte messages, batched writes, log-linear latency ")
                .append("histogram (within 0.1%); each depth is measured on fresh connections after ").append(cfg.echoWarmup())
                .append(" s of echo load, so that the JIT has compiled each server's echo path (the HTTP warm-up does not reach it). ")
                .append("Scale: ").append(cfg.scaleConns()).append(" idle keep-alive connections (each served one request), ")
                .append("RSS growth from /proc/PID/status VmRSS divided by their number, then wrk with ")
                .append(cfg.connections()).append(" more. Java servers share JVM flags `")
                .append(String.join(" ", ServerCatalog.JVM_FLAGS)).append("`; Netty adds `-Dio.netty.leakDetection.level=disabled`.\n\n");

        b.append("## Servers\n\n| server | what | status | response bytes (Date blanked) |\n|---|---|---|---|\n");
        for (ServerCatalog.Spec s : specs) {
            String resp = r.responses.get(s.name());
            b.append("| ").append(s.name()).append(" | ").append(s.description()).append(" | ")
                    .append(r.status.getOrDefault(s.name(), "?").replace("|", "\\|")).append(" | ")
                    .append(resp == null ? "–" : resp.length() + " (" + compare(resp, r.responses.get("c-epoll")) + ")")
                    .append(" |\n");
        }
        b.append('\n');

        for (Scenario sc : SCENARIOS) {
            boolean any = specs.stream().anyMatch(s -> r.median(s.name(), sc.id(), sc.metric()).isPresent());
            if (!any) continue;
            table(b, r, specs, sc);
        }
        b.append("\"per server cpu-s\" is throughput divided by the server's cpu share (requests or messages per second of ")
                .append("server cpu): the cost of the work, less sensitive than raw throughput to other load on the machine. ")
                .append("Pipelined HTTP rows have no wrk latency: wrk times only one response per pipelined batch.\n\n");
        b.append("Raw samples: `").append(cfg.smoke() ? "raw/smoke-latest" : "latest").append(".json` / `.csv` beside this file.\n");
        return b.toString();
    }

    private static void table(StringBuilder b, Results r, List<ServerCatalog.Spec> specs, Scenario sc) {
        boolean latency = !sc.metric().equals("kib_per_conn");
        boolean echo = sc.id().startsWith("echo");
        b.append("## ").append(sc.title()).append("\n\n");
        b.append("| server | median ").append(sc.unit()).append(" | range | ");
        if (latency) b.append(echo ? "p50 µs | p99 µs | p99.9 µs | " : "p50 µs | p99 µs | ");
        b.append(sc.metric().equals("kib_per_conn") ? "RSS before → after (MiB) | " : "per server cpu-s | server cpu | generator cpu | ");
        b.append("× C | × Netty epoll |\n");
        int columns = 3 + (latency ? (echo ? 3 : 2) : 0) + (latency ? 3 : 1) + 2;
        b.append("|").append("---|".repeat(columns)).append('\n');
        OptionalDouble c = r.median("c-epoll", sc.id(), sc.metric());
        OptionalDouble netty = r.median("netty-epoll", sc.id(), sc.metric());
        for (ServerCatalog.Spec s : specs) {
            OptionalDouble med = r.median(s.name(), sc.id(), sc.metric());
            String name = s.isPollen() ? "**" + s.name() + "**" : s.name();
            if (med.isEmpty()) {
                b.append("| ").append(name).append(" | ").append(absent(r, s)).append(" |").append(" |".repeat(columns - 2)).append('\n');
                continue;
            }
            double[] v = r.values(s.name(), sc.id(), sc.metric());
            double min = java.util.Arrays.stream(v).min().orElse(0);
            double max = java.util.Arrays.stream(v).max().orElse(0);
            b.append("| ").append(name).append(" | ").append(big(med.getAsDouble())).append(" | ")
                    .append(big(min)).append("–").append(big(max)).append(" | ");
            if (latency) {
                b.append(med(r, s, sc, "p50_us")).append(" | ").append(med(r, s, sc, "p99_us")).append(" | ");
                if (echo) b.append(med(r, s, sc, "p999_us")).append(" | ");
            }
            if (sc.metric().equals("kib_per_conn")) {
                b.append(mib(r, s, sc, "rss_base_kib")).append(" → ").append(mib(r, s, sc, "rss_held_kib")).append(" | ");
            } else {
                b.append(med(r, s, sc, "per_cpu")).append(" | ").append(med(r, s, sc, "server_cpu")).append(" | ")
                        .append(med(r, s, sc, "gen_cpu")).append(" | ");
            }
            b.append(ratio(med.getAsDouble(), c)).append(" | ").append(ratio(med.getAsDouble(), netty)).append(" |\n");
        }
        b.append('\n');
    }

    /** How a server's response compares with the C reference's, Date value blanked in both. */
    private static String compare(String resp, String reference) {
        if (reference == null) return "no C reference";
        if (resp.equals(reference)) return "same bytes as C";
        if (sortedLines(resp).equals(sortedLines(reference))) return "same fields as C, other order/case";
        return resp.length() == reference.length() ? "same length as C, other fields" : "differs from C";
    }

    private static List<String> sortedLines(String response) {
        return response.lines().map(l -> l.toLowerCase(Locale.ROOT)).sorted().toList();
    }

    private static String absent(Results r, ServerCatalog.Spec s) {
        String st = r.status.getOrDefault(s.name(), "");
        if (st.startsWith("missing")) return "**missing** (not built yet)";
        if (st.startsWith("unavailable")) return "unavailable here";
        if (st.startsWith("FAILED")) return "**failed**";
        return s.echoOnly() ? "echo only" : "–";
    }

    private static String med(Results r, ServerCatalog.Spec s, Scenario sc, String metric) {
        OptionalDouble m = r.median(s.name(), sc.id(), metric);
        if (m.isEmpty()) return "–";
        double v = m.getAsDouble();
        return metric.endsWith("_cpu") && !metric.equals("per_cpu") ? String.format(Locale.ROOT, "%.2f", v) : big(v);
    }

    private static String mib(Results r, ServerCatalog.Spec s, Scenario sc, String metric) {
        OptionalDouble m = r.median(s.name(), sc.id(), metric);
        return m.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", m.getAsDouble() / 1024);
    }

    private static String ratio(double v, OptionalDouble base) {
        if (base.isEmpty() || base.getAsDouble() == 0) return "–";
        return String.format(Locale.ROOT, "%.2f", v / base.getAsDouble());
    }

    /** Thousands separated for large numbers, one decimal for small ones. */
    static String big(double v) {
        if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
