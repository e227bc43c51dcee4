package io.pollen.bench.harness;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JFR side of {@link AllocProbe}: a recording with every allocation event on, its events of
 * one thread grouped by allocation site, and the markdown report of the probe.
 *
 * <p>A site is the <em>top application frame</em> of the event's stack (the first frame, from the
 * top, in an {@code io.pollen} class; the allocating JDK frame is shown beside it) and the class of
 * the object. Weights: {@code jdk.ObjectAllocationSample}'s {@code weight}, TLAB events' TLAB
 * size (new TLAB) or object size (outside TLAB). A loop that allocates nothing has no row.
 */
final class AllocReport {
    private static final String SAMPLE = "jdk.ObjectAllocationSample";
    private static final String NEW_TLAB = "jdk.ObjectAllocationInNewTLAB";
    private static final String OUTSIDE_TLAB = "jdk.ObjectAllocationOutsideTLAB";

    /** One allocation site: events and bytes of each kind. */
    record Site(String frame, String allocator, String objectClass, long samples, long sampledBytes, long tlabEvents,
                long tlabBytes) {
        Site plus(boolean sample, long weight) {
            return sample ? new Site(frame, allocator, objectClass, samples + 1, sampledBytes + weight, tlabEvents, tlabBytes)
                    : new Site(frame, allocator, objectClass, samples, sampledBytes, tlabEvents + 1, tlabBytes + weight);
        }
    }

    final List<Site> sites;
    final long events;

    private AllocReport(List<Site> sites, long events) {
        this.sites = sites;
        this.events = events;
    }

    /** Starts a recording of every allocation, with stack traces (unthrottled samples). */
    static Recording startRecording() {
        Recording r = new Recording();
        r.enable(SAMPLE).with("throttle", "off").withStackTrace();
        r.enable(NEW_TLAB).withStackTrace();
        r.enable(OUTSIDE_TLAB).withStackTrace();
        r.setToDisk(true);
        r.start();
        return r;
    }

    /** Stops the recording and groups the allocation events of thread {@code threadId}. */
    static AllocReport of(Recording r, long threadId) throws IOException {
        r.stop();
        Path file = Files.createTempFile("pollen-alloc", ".jfr");
        try {
            r.dump(file);
            Map<String, Site> bySite = new HashMap<>();
            long events = 0;
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getThread() == null || e.getThread().getJavaThreadId() != threadId) continue;
                String type = e.getEventType().getName();
                boolean sample = type.equals(SAMPLE);
                long weight = sample ? e.getLong("weight")
                        : type.equals(NEW_TLAB) ? e.getLong("tlabSize") : e.getLong("allocationSize");
                String[] where = site(e);
                String objectClass = e.getClass("objectClass").getName();
                bySite.merge(where[0] + "|" + where[1] + "|" + objectClass,
                        new Site(where[0], where[1], objectClass, 0, 0, 0, 0).plus(sample, weight),
                        (a, b) -> a.plus(sample, weight));
                events++;
            }
            List<Site> sites = new ArrayList<>(bySite.values());
            sites.sort(Comparator.comparingLong((Site s) -> s.sampledBytes + s.tlabBytes).reversed());
            return new AllocReport(sites, events);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {top application frame, allocating frame}. */
    private static String[] site(RecordedEvent e) {
        if (e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()) return new String[] {"?", "?"};
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        String top = name(frames.getFirst());
        for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("io.pollen.")) return new String[] {name(f), top};
        }
        return new String[] {"(no io.pollen frame)", top};
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName().replace("io.pollen.", "");
        return type + "." + f.getMethod().getName() + ":" + f.getLineNumber();
    }

    // ---- the markdown report ----------------------------------------------------------------

    static String markdown(Map<String, String> machine, List<AllocProbe.Window> windows, double seconds) {
        StringBuilder sb = new StringBuilder("# Allocation per request on the event-loop thread\n\n");
        sb.append("Command: `").append(machine.get("command")).append("`  \n")
                .append("Date: ").append(machine.get("date")).append(", git ").append(machine.get("git_commit")).append("  \n")
                .append("Machine: ").append(machine.get("nproc")).append(" cpus (").append(machine.get("cpu_model"))
                .append("), ").append(machine.get("memory")).append(" RAM, Linux ").append(machine.get("kernel")).append("  \n")
                .append("JDK: ").append(machine.get("jdk")).append("; ").append(machine.get("wrk")).append("  \n")
                .append("Load average at start: ").append(machine.get("loadavg_start")).append("\n\n");
        sb.append("## Method\n\n")
                .append("`bench/alloc.sh` runs `io.pollen.bench.harness.AllocProbe`: the harness's Pollen HTTP server ")
                .append("(`PollenServer.startHttp`, epoll, 1 loop, handler counting requests) in a JVM pinned to cpu 0 ")
                .append("with the harness's JVM flags, wrk pinned to cpu 1 (1 thread, 100 connections). After a wrk warm-up, ")
                .append("for each mode a wrk run lasts ").append(fmt(seconds + 4)).append(" s and the loop thread is measured in ")
                .append("the middle ").append(fmt(seconds)).append(" s (connection set-up and tear-down excluded):\n\n")
                .append("- **bytes/request** = `com.sun.management.ThreadMXBean#getThreadAllocatedBytes(loop thread)` ")
                .append("after − before, divided by the requests the handler answered in between (exact, not sampled);\n")
                .append("- **JFR**: a recording of the same window with `jdk.ObjectAllocationSample` (throttle off), ")
                .append("`jdk.ObjectAllocationInNewTLAB` and `jdk.ObjectAllocationOutsideTLAB`, stack traces on; events of the ")
                .append("loop thread grouped by top application frame (first `io.pollen` frame) and object class.\n\n");
        sb.append("## Figures\n\n| mode | requests in window | loop-thread bytes | bytes/request | loop-thread bytes/s | wrk req/s "
                        + "| JFR events on loop thread | load average |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (AllocProbe.Window w : windows) {
            sb.append("| ").append(w.mode()).append(" | ").append(w.requests()).append(" | ").append(w.bytes())
                    .append(" | ").append(String.format(Locale.ROOT, "%.4f", w.bytesPerRequest()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", w.bytes() / w.seconds()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", w.wrkRps()))
                    .append(" | ").append(w.jfr().events).append(" | ").append(w.load()).append(" |\n");
        }
        sb.append("\nA figure well under 1 byte/request is not a per-request allocation: it is work done once a second or "
                + "so whatever the load (the Date line is formatted once a second; the timeout sweep is a timer), "
                + "which the bytes/s column shows staying flat while the request rate changes.\n");
        for (AllocProbe.Window w : windows) {
            sb.append("\n## JFR allocation sites on the loop thread, ").append(w.mode()).append("\n\n");
            if (w.jfr().sites.isEmpty()) {
                sb.append("No allocation event on the loop thread.\n");
                continue;
            }
            sb.append("| top application frame | allocating frame | object class | samples | sampled bytes | TLAB events | TLAB bytes |\n")
                    .append("|---|---|---|---|---|---|---|\n");
            for (Site s : w.jfr().sites) {
                sb.append("| ").append(s.frame()).append(" | ").append(s.allocator()).append(" | ").append(s.objectClass())
                        .append(" | ").append(s.samples()).append(" | ").append(s.sampledBytes())
                        .append(" | ").append(s.tlabEvents()).append(" | ").append(s.tlabBytes()).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
