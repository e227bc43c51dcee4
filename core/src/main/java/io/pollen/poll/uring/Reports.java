package io.pollen.poll.uring;

import io.pollen.poll.spi.Driver;

import java.util.Arrays;

/**
 * The readiness a {@link UringDriver} has to report, noted by registration (its fd: streams,
 * listeners and polls share one fd-indexed slot table) and reported by {@link #flush}, once per
 * registration per run, with the bits of all its completions of that run OR-ed together: mio's
 * "one event per token per poll", whatever mix of recv, send, accept or poll completions came.
 *
 * <p>Noting never calls a handler: completions are reaped first (by a run, or by a read that
 * absorbs what waits in the CQ, {@code UringDriver#absorb}), handlers run only in {@link #flush}.
 * What a handler's own calls note during a flush (a read that absorbed completions, a
 * registration) is reported in the same flush if that registration's turn has not come yet, else
 * kept for the next run: never twice in one. Loop thread only; no allocation once the arrays fit
 * the highest fd.
 */
final class Reports {
    private int[] bits = new int[64];
    private long[] tokens = new long[64];
    /** Fds with something noted, in the order first noted; may hold forgotten ones (bits 0: skipped). */
    private int[] queue = new int[64];
    private int size;

    /** Notes {@code ready} for the registration of {@code fd}, reported as {@code token}. */
    void note(int fd, long token, int ready) {
        if (ready == 0) {
            return;
        }
        if (fd >= bits.length) {
            int n = Math.max(bits.length * 2, fd + 1);
            bits = Arrays.copyOf(bits, n);
            tokens = Arrays.copyOf(tokens, n);
        }
        if (bits[fd] == 0) {
            if (size == queue.length) {
                queue = Arrays.copyOf(queue, size * 2);
            }
            queue[size++] = fd;
        }
        bits[fd] |= ready;
        tokens[fd] = token;
    }

    /** The registration of {@code fd} is gone: what it had noted is dropped, never reported. */
    void forget(int fd) {
        if (fd < bits.length) {
            bits[fd] = 0;
        }
    }

    /** The registration of {@code fd} reports as {@code token} from now on, what is noted included. */
    void retoken(int fd, long token) {
        if (fd < bits.length && bits[fd] != 0) {
            tokens[fd] = token;
        }
    }

    /** Whether something may wait to be reported (then a run does not block). */
    boolean pending() {
        return size > 0;
    }

    /** What {@code fd} has noted and not yet reported (tests). */
    int noted(int fd) {
        return fd < bits.length ? bits[fd] : 0;
    }

    /**
     * Reports what was noted before this call, one {@link Driver.Dispatch#ready} per registration;
     * notes made meanwhile for registrations already reported wait for the next flush.
     *
     * @return how many reports were made
     */
    int flush(Driver.Dispatch to) {
        int n = size;
        int calls = 0;
        int i = 0;
        try {
            while (i < n) {
                int fd = queue[i++];
                int b = bits[fd];
                if (b != 0) {
                    bits[fd] = 0;
                    calls++;
                    to.ready(tokens[fd], b);
                }
            }
        } finally {
            // What a handler that threw left unreported stays for the next flush, after it.
            System.arraycopy(queue, i, queue, 0, size - i);
            size -= i;
        }
        return calls;
    }
}
