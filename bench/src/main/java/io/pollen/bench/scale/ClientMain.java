package io.pollen.bench.scale;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * One client process of the scale run: {@code ClientMain <pollen|jdk-httpclient|virtual-threads>
 * <host> <port> <requests> <path>}. It prepares the client, makes one untimed warm-up request
 * ({@link LoadClient#warmUp}), starts the clock, sends all requests
 * at once, waits for every answer, stops the clock, and prints one line that {@link ScaleRun}
 * parses:
 * <pre>RESULT client=pollen requests=10000 ok=10000 failed=0 wall_ms=1043.2 cpu_run_ms=... ...</pre>
 * {@code cpu_run_ms} is the process's CPU time spent between the clock's start and stop (all
 * threads, JIT and GC included); {@code cpu_total_ms} adds JVM start-up, preparation and the warm-up request;
 * {@code peak_rss_kb} is {@code VmHWM} read at the very end. Exit status 0 only if every request
 * succeeded.
 */
public final class ClientMain {
    private ClientMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ClientMain <pollen|jdk-httpclient|virtual-threads> <host> <port> <requests> <path>");
            System.exit(2);
        }
        String kind = args[0];
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        Outcome outcome = new Outcome(Integer.parseInt(args[3]));
        String path = args[4];

        try (LoadClient client = open(kind)) {
            client.prepare();
            client.warmUp(server);
            long cpu0 = ProcStats.cpuNanos();
            long t0 = System.nanoTime();
            outcome.clockStart = t0;
            client.run(server, path, outcome);
            long wall = System.nanoTime() - t0;
            long cpu1 = ProcStats.cpuNanos();
            Throwable first = outcome.firstFailure.get();
            if (first != null) {
                System.err.println("first failure: " + first);
            }
            System.out.println(String.format(Locale.ROOT,
                    "RESULT client=%s requests=%d ok=%d failed=%d wall_ms=%.1f cpu_run_ms=%.1f cpu_total_ms=%.1f"
                            + " peak_rss_kb=%d rss_kb=%d peak_threads=%d fastest_ms=%.1f slowest_ms=%.1f",
                    kind, outcome.requests, outcome.ok.get(), outcome.failed.get(), wall / 1e6,
                    (cpu1 - cpu0) / 1e6, cpu1 / 1e6, ProcStats.peakRssKb(), ProcStats.rssKb(),
                    ProcStats.peakThreads(), outcome.ok.get() == 0 ? 0 : outcome.fastestNanos.get() / 1e6,
                    outcome.slowestNanos.get() / 1e6));
            System.out.println("PROFILE completions per half second since the clock started: " + outcome.profile());
            System.out.flush();
            // Exit without closing: a client's teardown is not part of its cost here.
            System.exit(outcome.ok.get() == outcome.requests ? 0 : 1);
        }
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
