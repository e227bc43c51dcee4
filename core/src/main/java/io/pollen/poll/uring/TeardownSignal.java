package io.pollen.poll.uring;

import io.pollen.sys.linux.EPoll;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Takes the kernel's last word on a closed ring on the closing thread, so that it does not land in
 * that thread's next blocking call.
 *
 * <p>Why: when a ring's fd is closed, the kernel tears it down in a work queue and, once requests
 * are gone, queues one task-work callback on every thread that ever submitted to it, announced
 * like a signal ({@code TWA_SIGNAL}). A thread sleeping in {@code epoll_wait} at that moment
 * returns {@code EINTR} (the epoll backend reports that as an early, empty poll: allowed, but a
 * surprise in a program that only closed an io_uring Poll earlier). Here the closing thread, if it
 * submitted to the ring, waits in an {@code epoll_wait} of its own on an empty epoll until that
 * interruption comes (the callback runs as the call returns), at most {@link #LIMIT_MS}. Other
 * submitting threads still receive theirs wherever they are; in Pollen that is the polling thread,
 * normally the one closing.
 */
final class TeardownSignal {
    private TeardownSignal() {
    }

    /** The longest the closing thread waits for the teardown's task work (normally well under 1 ms). */
    static final int LIMIT_MS = 100;
    private static final int STEP_MS = 10;

    /** Waits until an {@code epoll_wait} is interrupted or {@link #LIMIT_MS} pass. Never throws. */
    static void absorb() {
        int ep = -1;
        try (Arena arena = Arena.ofConfined()) {
            ep = EPoll.create1(EPoll.EPOLL_CLOEXEC);
            MemorySegment ev = arena.allocate(EPoll.EVENT_SIZE, 8);
            for (int waited = 0; waited < LIMIT_MS; waited += STEP_MS) {
                long t0 = System.nanoTime();
                EPoll.wait(ep, ev, 1, STEP_MS);
                if (System.nanoTime() - t0 < (STEP_MS - 1) * 1_000_000L) {
                    return;   // woke before its timeout with nothing to report: the task work came
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the interruption then comes wherever the thread is
        } finally {
            if (ep >= 0) {
                try {
                    Unistd.close(ep);
                } catch (IOException ignored) {
                    // nothing to do about a failed close of a private epoll fd
                }
            }
        }
    }
}
