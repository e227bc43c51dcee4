package io.pollen.bench.scale;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a client process costs, read from the kernel's own accounting (Linux).
 *
 * <ul>
 *   <li>{@link #peakRssKb()}: {@code VmHWM} from {@code /proc/self/status}, the high-water mark of
 *       the resident set over the whole life of the process (heap, metaspace, thread stacks,
 *       direct buffers, code cache: everything the kernel had to back with memory).</li>
 *   <li>{@link #cpuNanos()}: user + system CPU time of all the process's threads so far
 *       ({@code ProcessHandle.info().totalCpuDuration()}, i.e. {@code /proc/self/stat}), which
 *       includes the JIT compiler and GC threads.</li>
 * </ul>
 */
final class ProcStats {
    private ProcStats() {
    }

    static long peakRssKb() {
        return statusKb("VmHWM:");
    }

    static long rssKb() {
        return statusKb("VmRSS:");
    }

    static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    static int peakThreads() {
        return ManagementFactory.getThreadMXBean().getPeakThreadCount();
    }

    private static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
