package io.pollen.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Facts about this JVM process for the demo's summary: its peak memory and its threads.
 *
 * <p>Peak memory is the kernel's high-water mark of the resident set ({@code VmHWM} in
 * {@code /proc/self/status}) where there is one (Linux): it counts everything the process touched
 * (heap, metaspace, thread stacks, native buffers). Elsewhere it falls back to the JVM's own peak
 * heap usage, which is smaller and says so in its label. Neither is a benchmark figure.
 */
final class ProcessStats {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessStats() {
    }

    /**
     * A peak-memory figure and where it came from.
     *
     * @param bytes  the figure
     * @param source {@code VmHWM} or {@code peak heap}
     */
    record Memory(long bytes, String source) {
        String format() {
            return Summary.bytes(bytes) + " (" + source + ")";
        }
    }

    /** The peak resident set (VmHWM) on Linux, else the sum of the heap pools' peak usage. */
    static Memory peakMemory() {
        Long hwm = statusKiB(readStatus(), "VmHWM");
        if (hwm != null) {
            return new Memory(hwm * 1024, "VmHWM, peak resident set");
        }
        long heap = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        return new Memory(heap, "peak heap; VmHWM not available here");
    }

    /** Threads of the process as the kernel counts them ({@code Threads:}), else the JVM's count. */
    static int jvmThreads() {
        Long n = statusValue(readStatus(), "Threads");
        return n != null ? n.intValue() : ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Live platform threads whose name matches, e.g. the carriers of virtual threads. */
    static int liveThreads(Predicate<String> name) {
        Set<Thread> all = Thread.getAllStackTraces().keySet();
        return (int) all.stream().filter(t -> !t.isVirtual() && name.test(t.getName())).count();
    }

    /** Parses {@code Key:   1234 kB} from a /proc status file; null if the key is absent. */
    static Long statusKiB(List<String> lines, String key) {
        return statusValue(lines, key);
    }

    /** The first number after {@code key:} in a /proc status file; null if absent or malformed. */
    static Long statusValue(List<String> lines, String key) {
        String prefix = key + ":";
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                String[] parts = line.substring(prefix.length()).trim().split("\\s+");
                try {
                    return Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static List<String> readStatus() {
        try {
            return Files.isReadable(STATUS) ? Files.readAllLines(STATUS) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
