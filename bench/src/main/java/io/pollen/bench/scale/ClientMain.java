package io.pollen.bench.scale;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One client process of the scale run: {@code ClientMain <pollen|jdk-httpclient|virtual-threads>
 * <host> <port> <requests> <path> [passes]}. It prepares the client, makes one untimed warm-up
 * request ({@link LoadClient#warmUp}), then runs the scenario {@code passes} times in a row (default
 * 1). Before each pass it prints {@code READY pass=N} and waits for a line on standard input, the
 * go-ahead: {@code GO} (the same server), {@code GO <port>} (the pass goes to that port of the
 * same host: {@link ScaleRun} gives each pass a listener of its own, so that no pass's connects
 * meet an earlier pass's TIME_WAIT sockets), or end of input (go ahead, same server). Each pass
 * then starts the clock, sends all requests at once, waits for every answer, stops the clock, and
 * prints one line that {@link ScaleRun} parses (then, untimed, {@link LoadClient#afterPass}):
 * <pre>RESULT pass=1 client=pollen requests=10000 ok=10000 failed=0 wall_ms=1043.2 cpu_run_ms=... ...</pre>
 * Pass 1 is what a fresh JVM does (the JIT compiles while the requests run); later passes show the
 * same code warmed up, as in a long-running service. {@code cpu_run_ms} is the process's CPU time
 * between the pass's clock start and stop (all threads, JIT and GC included); {@code cpu_total_ms}
 * is the process's CPU so far (JVM start-up, preparation and earlier passes included);
 * {@code peak_rss_kb} is {@code VmHWM} at the end of the pass, the high-water mark of the whole
 * process so far; {@code t0_ns} is the clock start as {@link System#nanoTime} (CLOCK_MONOTONIC on
 * Linux, the clock the server notes arrivals with). Exit status 0 only if every request of every pass succeeded.
 */
public final class ClientMain {
    private ClientMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: ClientMain <pollen|jdk-httpclient|virtual-threads> <host> <port> <requests> <path> [passes]");
            System.exit(2);
        }
        String kind = args[0];
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int requests = Integer.parseInt(args[3]);
        String path = args[4];
        int passes = args.length > 5 ? Integer.parseInt(args[5]) : 1;

        boolean allOk = true;
        BufferedReader go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LoadClient client = open(kind)) {
            client.prepare();
            client.warmUp(server);
            for (int pass = 1; pass <= passes; pass++) {
                System.out.println("READY pass=" + pass);
                System.out.flush();
                server = goAhead(go.readLine(), server);
                allOk &= runPass(client, kind, server, path, new Outcome(requests), pass);
                client.afterPass(server);
            }
            // Exit without closing: a client's teardown is not part of its cost here.
            System.exit(allOk ? 0 : 1);
        }
    }

    /** The server of the next pass: {@code current}, or the same host at the port a "GO <port>" names. */
    static InetSocketAddress goAhead(String line, InetSocketAddress current) {
        String port = line == null ? "" : line.replaceFirst("^GO\\s*", "").trim();
        return port.isEmpty() ? current : new InetSocketAddress(current.getAddress(), Integer.parseInt(port));
    }

    private static boolean runPass(LoadClient client, String kind, InetSocketAddress server, String path,
                                   Outcome outcome, int pass) throws Exception {
        long cpu0 = ProcStats.cpuNanos();
        long t0 = System.nanoTime();
        outcome.clockStart = t0;
        client.run(server, path, outcome);
        long wall = System.nanoTime() - t0;
        long cpu1 = ProcStats.cpuNanos();
        Throwable first = outcome.firstFailure.get();
        if (first != null) {
            System.err.println("pass " + pass + ", first failure: " + first);
        }
        System.out.println(String.format(Locale.ROOT,
                "RESULT pass=%d client=%s requests=%d ok=%d failed=%d wall_ms=%.1f cpu_run_ms=%.1f cpu_total_ms=%.1f"
                        + " peak_rss_kb=%d rss_kb=%d peak_threads=%d fastest_ms=%.1f slowest_ms=%.1f t0_ns=%d",
                pass, kind, outcome.requests, outcome.ok.get(), outcome.failed.get(), wall / 1e6,
                (cpu1 - cpu0) / 1e6, cpu1 / 1e6, ProcStats.peakRssKb(), ProcStats.rssKb(),
                ProcStats.peakThreads(), outcome.ok.get() == 0 ? 0 : outcome.fastestNanos.get() / 1e6,
                outcome.slowestNanos.get() / 1e6, t0));
        System.out.println("PROFILE pass=" + pass + " completions per half second since the clock started: "
                + outcome.profile());
        System.out.flush();
        return outcome.ok.get() == outcome.requests;
    }

    static LoadClient open(String kind) {
        return switch (kind) {
            case "pollen" -> new PollenClientLoad();
            case "jdk-httpclient" -> new JdkHttpClientLoad();
            case "virtual-threads" -> new VirtualThreadLoad();
            default -> throw new IllegalArgumentException("unknown client '" + kind
                    + "': expected pollen, jdk-httpclient or virtual-threads");
        };
    }
}
