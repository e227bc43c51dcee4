package io.pollen.bench.harness;

import io.pollen.bench.servers.PollenServer;
import io.pollen.http.HttpServer;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Does the Pollen plaintext server allocate per request? Runs the harness's Pollen HTTP server
 * ({@link PollenServer#startHttp}, epoll, one loop) in this JVM, warms it with wrk, then, during a
 * wrk run without and with 16-deep pipelining, measures the event-loop thread only:
 *
 * <ul>
 *   <li>the exact bytes it allocated ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}
 *       of the loop thread, read before and after a window in the middle of the run) divided by the
 *       requests the handler answered in that window;</li>
 *   <li>a JFR recording of the same window with every allocation event enabled
 *       ({@code jdk.ObjectAllocationSample} unthrottled, {@code jdk.ObjectAllocationInNewTLAB},
 *       {@code jdk.ObjectAllocationOutsideTLAB}), grouped by {@link AllocReport}.</li>
 * </ul>
 *
 * <p>The window starts 2 s after wrk and ends 2 s before it, so connection set-up and tear-down
 * (per connection, not per request) stay out. Run through {@code bench/alloc.sh}, which pins this
 * JVM to cpu 0 and passes {@code --wrk-cpus 1}.
 *
 * <pre>--lua bench/native/pipeline.lua --out bench/results/alloc.md [--seconds 10] [--warmup 10]
 * [--wrk-cpus 1] [--handler-bytes N] [--command "bench/alloc.sh"]</pre>
 *
 * <p>{@code --handler-bytes N} is the probe's control: the handler then allocates an N-byte array
 * per request, which the figures and the JFR table must show.
 */
public final class AllocProbe {
    private static final double MARGIN_SECONDS = 2;

    /** One measured wrk run. */
    record Window(String mode, int pipeline, long requests, long bytes, double seconds, double wrkRps,
                  String load, AllocReport jfr) {
        double bytesPerRequest() {
            return requests == 0 ? Double.NaN : (double) bytes / requests;
        }
    }

    /** Where the control's arrays go, so that the JIT cannot drop the allocation. */
    static volatile byte[] sink;

    private AllocProbe() {}

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Path lua = Path.of(a.value("lua", "bench/native/pipeline.lua"));
        Path out = Path.of(a.value("out", "bench/results/alloc.md"));
        double seconds = a.doubleValue("seconds", 10);
        double warmup = a.doubleValue("warmup", 10);
        String cpus = a.value("wrk-cpus", null);
        int handlerBytes = a.intValue("handler-bytes", -1);
        Map<String, String> machine = MachineInfo.detect(a.value("command", "bench/alloc.sh"));
        machine.put("nproc", Long.toString(cpuCount())); // this JVM is pinned: availableProcessors() says 1

        AtomicLong served = new AtomicLong();
        try (Runtime rt = Runtime.builder().backend(Backend.EPOLL).loops(1).threadNamePrefix("pollen-").build();
             HttpServer server = PollenServer.startHttp(rt, new InetSocketAddress("127.0.0.1", 0), req -> {
                 served.incrementAndGet(); // an AtomicLong increment allocates nothing
                 if (handlerBytes >= 0) sink = new byte[handlerBytes];
                 return PollenServer.PLAINTEXT;
             })) {
            CompletableFuture<Long> id = new CompletableFuture<>();
            rt.loops().getFirst().execute(() -> id.complete(Thread.currentThread().threadId()));
            long loopThread = id.get();
            int port = server.port();
            log("server on port " + port + ", loop thread id " + loopThread + "; warming up " + warmup + " s");
            Wrk.run(port, 1, 100, warmup / 2, 1, cpus, lua);
            Wrk.run(port, 1, 100, warmup / 2, 16, cpus, lua);
            List<Window> windows = new ArrayList<>();
            for (int pipeline : new int[] {1, 16}) {
                windows.add(measure(port, pipeline, seconds, cpus, lua, loopThread, served));
            }
            Files.writeString(out, AllocReport.markdown(machine, windows, seconds), StandardCharsets.UTF_8);
            log("wrote " + out);
        }
    }

    private static Window measure(int port, int pipeline, double seconds, String cpus, Path lua, long loopThread,
                                  AtomicLong served) throws Exception {
        String mode = pipeline == 1 ? "no pipelining" : pipeline + "-deep pipelining";
        log("measuring " + mode + " for " + seconds + " s");
        CompletableFuture<Map<String, Double>> wrk = CompletableFuture.supplyAsync(() -> {
            try {
                return Wrk.run(port, 1, 100, seconds + 2 * MARGIN_SECONDS, pipeline, cpus, lua);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep((long) (MARGIN_SECONDS * 1000));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (var jfr = AllocReport.startRecording()) {
            long bytes0 = threads.getThreadAllocatedBytes(loopThread);
            long req0 = served.get();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long bytes1 = threads.getThreadAllocatedBytes(loopThread);
            long req1 = served.get();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            String load = MachineInfo.loadAverage();
            AllocReport report = AllocReport.of(jfr, loopThread);
            Map<String, Double> w = wrk.join();
            return new Window(mode, pipeline, req1 - req0, bytes1 - bytes0, elapsed, w.get("rps"), load, report);
        }
    }

    private static long cpuCount() throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
    }

    private static void log(String s) {
        System.err.println("[alloc] " + s);
    }
}
