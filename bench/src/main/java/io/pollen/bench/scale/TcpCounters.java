package io.pollen.bench.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Two of the kernel's TCP counters (Linux, {@code /proc/net/netstat}, the whole network namespace):
 * {@code ListenOverflows}, connects that found a server's accept queue full, and
 * {@code TCPSynRetrans}, SYNs sent again (after 1 s, then 3 s...) because the first got no answer.
 * Either one during a pass means some requests waited on the kernel's retry timer, not on the
 * client or the server. Zero where the file cannot be read.
 */
record TcpCounters(long listenOverflows, long synRetransmits) {
    static TcpCounters read() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                if (lines.get(i).startsWith("TcpExt:")) {
                    String[] names = lines.get(i).trim().split("\\s+");
                    String[] values = lines.get(i + 1).trim().split("\\s+");
                    return new TcpCounters(value(names, values, "ListenOverflows"), value(names, values, "TCPSynRetrans"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no procfs: report zeros
        }
        return new TcpCounters(0, 0);
    }

    private static long value(String[] names, String[] values, String name) {
        for (int i = 1; i < names.length && i < values.length; i++) {
            if (names[i].equals(name)) {
                return Long.parseLong(values[i]);
            }
        }
        return 0;
    }

    TcpCounters minus(TcpCounters earlier) {
        return new TcpCounters(listenOverflows - earlier.listenOverflows, synRetransmits - earlier.synRetransmits);
    }

    /** Sockets in TIME_WAIT ({@code /proc/net/sockstat}, "tw"); -1 where unreadable. */
    static long timeWait() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
                String[] f = line.trim().split("\\s+");
                for (int i = 0; line.startsWith("TCP:") && i + 1 < f.length; i++) {
                    if (f[i].equals("tw")) {
                        return Long.parseLong(f[i + 1]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** {@code net.core.somaxconn}, the cap on every listen backlog; "n/a" where unreadable. */
    static String somaxconn() {
        try {
            // Line by line: procfs files report size 0, and a sized read got only "4" of "4096".
            return Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).getFirst().trim();
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
