package io.pollen.poll.kqueue;

import io.pollen.poll.spi.Ready;

import java.util.Arrays;

/**
 * Events a {@link KqueueSelector} found but could not hand to the caller, whose arrays were full:
 * kept in order and handed out first by the next select (libkqueue only: see the selector's
 * rescan). Kept events follow their registration: a deregistered fd's are dropped, a reregistered
 * fd's take its new token and lose the bits of a direction no longer asked for. Not thread-safe;
 * the selector guards it with its registration lock, except {@link #isEmpty}: only {@link #add}
 * and {@link #drainTo}, both the selecting thread's, change it.
 */
final class Carry {
    private static final int READ_BITS = Ready.READABLE | Ready.READ_CLOSED;
    private static final int WRITE_BITS = Ready.WRITABLE | Ready.WRITE_CLOSED;

    private int[] fds = new int[16];
    private long[] tokens = new long[16];
    private int[] flags = new int[16];
    private int head;
    private int size;

    boolean isEmpty() {
        return size == head;
    }

    /** Keeps an event of {@code fd}. */
    void add(int fd, long token, int bits) {
        if (head > 0 && size == fds.length) {   // reuse the room of what was handed out
            System.arraycopy(fds, head, fds, 0, size - head);
            System.arraycopy(tokens, head, tokens, 0, size - head);
            System.arraycopy(flags, head, flags, 0, size - head);
            size -= head;
            head = 0;
        }
        if (size == fds.length) {
            fds = Arrays.copyOf(fds, size * 2);
            tokens = Arrays.copyOf(tokens, size * 2);
            flags = Arrays.copyOf(flags, size * 2);
        }
        fds[size] = fd;
        tokens[size] = token;
        flags[size++] = bits;
    }

    /** Hands out up to {@code max} kept events, oldest first; returns how many. */
    int drainTo(long[] outTokens, int[] outFlags, int max) {
        int out = 0;
        while (out < max && head < size) {
            if (flags[head] != 0) {   // 0: its registration went away while it was kept
                outTokens[out] = tokens[head];
                outFlags[out++] = flags[head];
            }
            head++;
        }
        if (head == size) {
            head = 0;
            size = 0;
        }
        return out;
    }

    /** {@code fd} was deregistered: its kept events are not reported. */
    void forget(int fd) {
        for (int i = head; i < size; i++) {
            if (fds[i] == fd) {
                flags[i] = 0;
            }
        }
    }

    /** {@code fd} was reregistered: its kept events report {@code token}, for {@code interest} only. */
    void retoken(int fd, long token, int interest) {
        int keep = ~0;
        if ((interest & Ready.INTEREST_READABLE) == 0) {
            keep &= ~READ_BITS;
        }
        if ((interest & Ready.INTEREST_WRITABLE) == 0) {
            keep &= ~WRITE_BITS;
        }
        for (int i = head; i < size; i++) {
            if (fds[i] == fd) {
                tokens[i] = token;
                flags[i] &= keep;   // an error stays: errors are reported whatever the interest
            }
        }
    }
}
