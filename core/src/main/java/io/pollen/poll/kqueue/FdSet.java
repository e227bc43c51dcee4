package io.pollen.poll.kqueue;

import java.util.Arrays;

/**
 * The fds registered with one kqueue, as a bit set indexed by fd (fds are small and dense). Not
 * thread-safe: {@link KqueueSelector} guards it. Grows to the highest fd seen; adds allocate only
 * when a higher fd than ever before comes.
 */
final class FdSet {
    private long[] bits = new long[16];
    private int size;

    boolean contains(int fd) {
        int word = fd >>> 6;
        return word < bits.length && (bits[word] & (1L << fd)) != 0;
    }

    void add(int fd) {
        int word = fd >>> 6;
        if (word >= bits.length) {
            bits = Arrays.copyOf(bits, Math.max(word + 1, bits.length * 2));
        }
        if ((bits[word] & (1L << fd)) == 0) {
            size++;
        }
        bits[word] |= 1L << fd;
    }

    void remove(int fd) {
        if (contains(fd)) {
            bits[fd >>> 6] &= ~(1L << fd);
            size--;
        }
    }

    /** How many fds are in the set. */
    int size() {
        return size;
    }

    /** Calls {@code action} with each fd in the set, lowest first. */
    void forEach(java.util.function.IntConsumer action) {
        for (int w = 0; w < bits.length; w++) {
            for (long b = bits[w]; b != 0; b &= b - 1) {
                action.accept((w << 6) + Long.numberOfTrailingZeros(b));
            }
        }
    }
}
