package io.pollen.testing;

import java.io.File;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Counts this process's open file descriptors ({@code /proc/self/fd}), so every test class can
 * end by asserting it leaked none. Every Jupiter test class gets that check from {@link NoFdLeaks}
 * without asking; use this class directly to count fds within one test
 * ({@code Fds.Snapshot s = Fds.snapshot(); ...; s.assertNoLeak();}) or in a jqwik container.
 *
 * <p>Closing is not always synchronous with the call that asked for it (a loop thread closes its
 * sockets on its way out), so the check waits a little for the count to settle before failing.
 */
public final class Fds {
    private Fds() {
    }

    private static final File DIR = new File("/proc/self/fd");

    /** Whether fds can be counted here (Linux); elsewhere the checks pass vacuously. */
    public static boolean supported() {
        return DIR.isDirectory();
    }

    public static int count() {
        String[] names = DIR.list();
        return names == null ? -1 : names.length;
    }

    /** How many of {@code wanted} concurrent connections this process may open (two fds each, 1000 fds kept spare; at least 100). */
    public static int budget(int wanted) {
        long limit = 1024;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    limit = Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: keep the conservative default
        }
        return (int) Math.max(100, Math.min(wanted, (limit - count() - 1000) / 2));
    }

    public static Snapshot snapshot() {
        warmUpJdk();
        return new Snapshot(links());
    }

    /**
     * The JDK opens one socket for the life of the process the first time a java.nio channel is
     * closed (sun.nio.ch.UnixDispatcher's "pre-close" fd); open and close a channel once before
     * the first snapshot so that it is not counted as a leak of whichever test ran first.
     */
    private static void warmUpJdk() {
        try (java.nio.channels.DatagramChannel ignored = java.nio.channels.DatagramChannel.open()) {
            // nothing: closing it is the point
        } catch (java.io.IOException ignored) {
            // no networking at all: nothing to warm up
        }
        startVirtualThreadPollers();
        startKqueueLibrary();
    }

    private static volatile boolean kqueueStarted;

    /**
     * libkqueue (the kqueue backend on Linux) starts, with its first kqueue, a monitoring thread
     * that keeps an epoll fd and an eventfd for the life of the process, and it closes a kqueue's
     * own fds on that thread, a moment after {@code close}. Open and close one kqueue before the
     * first snapshot, and let its fds settle, so neither counts as a leak.
     */
    private static synchronized void startKqueueLibrary() {
        if (kqueueStarted || !io.pollen.poll.Backend.KQUEUE.isAvailable()) {
            return;
        }
        kqueueStarted = true;
        try {
            io.pollen.poll.Poll.open(io.pollen.poll.Backend.KQUEUE).close();
            long deadline = System.nanoTime() + 2_000_000_000L;
            int last = -1;
            int stable = 0;
            while (stable < 5 && System.nanoTime() < deadline) {
                int now = count();
                stable = now == last ? stable + 1 : 0;
                last = now;
                Thread.sleep(20);
            }
        } catch (java.io.IOException | InterruptedException ignored) {
            // kqueue would not open: the kqueue tests report that themselves
        }
    }

    private static volatile boolean pollersStarted;

    /**
     * The JDK also opens its virtual-thread I/O pollers (epoll fds kept for the life of the
     * process) the first time a virtual thread parks on a socket. A warm-up request that happens
     * to find its bytes already there never parks, and the pollers then start in whichever test
     * comes next, which counted them as its leak. So: make one virtual thread park on a read for
     * certain, by writing only once it waits.
     */
    private static synchronized void startVirtualThreadPollers() {
        if (pollersStarted) {
            return;
        }
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = new java.net.Socket(server.getInetAddress(), server.getLocalPort())) {
                    s.getInputStream().read();
                } catch (java.io.IOException ignored) {
                    // the warm-up failed; the leak check then simply runs without it
                }
            });
            try (java.net.Socket peer = server.accept()) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                peer.getOutputStream().write(1);
            }
            reader.join(5_000);
            pollersStarted = true;
        } catch (java.io.IOException | InterruptedException ignored) {
            // no loopback networking: nothing to warm up
        }
    }

    /**
     * Each open fd with what it points to. Numbers alone are not enough: the listing's own fd has a
     * number that a socket opened later reuses, and a leak under that number would go unseen.
     */
    private static TreeMap<String, String> links() {
        TreeMap<String, String> map = new TreeMap<>();
        String[] names = DIR.list();
        if (names != null) {
            for (String fd : names) {
                map.put(fd, target(fd));
            }
        }
        return map;
    }

    private static String target(String fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(new File(DIR, fd).toPath()).toString();
        } catch (Exception e) {
            return "?";
        }
    }


    /** The fds open at one moment. */
    public static final class Snapshot {
        private final Map<String, String> open;

        private Snapshot(Map<String, String> open) {
            this.open = open;
        }

        public int size() {
            return open.size();
        }

        /** Fails, listing them, if more fds are open than at the snapshot (after up to 5 s to settle). */
        public void assertNoLeak() {
            assertNoLeak(Duration.ofSeconds(5));
        }

        public void assertNoLeak(Duration settle) {
            if (!supported()) {
                return;
            }
            long deadline = System.nanoTime() + settle.toNanos();
            TreeMap<String, String> now;
            do {
                now = links();
                // New: a number not open then, or open then on something else (socket:[inode] differs).
                now.entrySet().removeIf(e -> e.getValue().equals(open.get(e.getKey())));
                // The JVM itself may open a few (jar files, JFR); only sockets, pipes, event queues count.
                now.values().removeIf(link -> !link.matches(".*(socket|pipe|anon_inode).*"));
                if (now.isEmpty()) {
                    return;
                }
                System.gc();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } while (System.nanoTime() < deadline);
            StringBuilder sb = new StringBuilder("leaked file descriptors:");
            now.forEach((fd, link) -> sb.append("\n  ").append(fd).append(" -> ").append(link));
            fail(sb.toString());
        }
    }
}
