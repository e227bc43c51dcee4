package io.pollen.poll.uring;

import io.pollen.sys.linux.EventFd;
import io.pollen.sys.unix.Unistd;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the io_uring driver tests share: the skip with its reason, eventfds, the ring-mapping count. */
final class UringTests {
    private UringTests() {
    }

    private static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L);

    /** Skips the test (saying why, also on stdout) where io_uring cannot run. */
    static void assumeAvailable() {
        if (!UringSupport.isAvailable()) {
            System.out.println("io_uring tests skipped: " + UringSupport.unavailableReason());
        }
        Assumptions.assumeTrue(UringSupport.isAvailable(), () -> "skipped: " + UringSupport.unavailableReason());
    }

    static int eventfd() throws IOException {
        return EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
    }

    /** Adds 1 to an eventfd's counter: one wake-up of whoever polls it. */
    static void signal(int efd) throws IOException {
        assertEquals(8, Unistd.write(efd, ONE, 8));
    }

    /** How many io_uring mappings this process has ({@code /proc/self/maps}); -1 where unknown. */
    static long ringMappings() {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("io_uring")).count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Waits (up to 5 s: the kernel tears a ring down in a work queue) for the mappings to drop to {@code n}. */
    static long ringMappingsSettle(long n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long now;
        while ((now = ringMappings()) > n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return now;
    }
}
