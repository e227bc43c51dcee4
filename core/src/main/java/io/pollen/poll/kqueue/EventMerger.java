package io.pollen.poll.kqueue;

/**
 * Finds, within one batch of kevents, the output slot an fd already has, so that its read and
 * write filters become one event. An open-addressing table from fd to slot, cleared per batch by
 * bumping a generation instead of by writing it: no allocation and O(1) per kevent.
 */
final class EventMerger {
    private int[] fds = new int[0];
    private int[] slots = new int[0];
    private int[] stamps = new int[0];
    private int mask;
    private int generation;
    private boolean active;

    /** Sizes the table for batches of up to {@code max} kevents (load factor at most 1/2). */
    void ensure(int max) {
        int size = Integer.highestOneBit(Math.max(2, max) * 2 - 1) << 1;
        if (size > fds.length) {
            fds = new int[size];
            slots = new int[size];
            stamps = new int[size];
            mask = size - 1;
            generation = 0;
        }
    }

    /** Starts a batch of {@code n} kevents; a batch of one has nothing to merge. */
    void reset(int n) {
        active = n > 1;
        if (active && ++generation == 0) {
            // Wrapped after 2^32 batches: stale stamps could match again, so clear them once.
            java.util.Arrays.fill(stamps, 0);
            generation = 1;
        }
    }

    /** The slot recorded for {@code fd} in this batch, or -1. */
    int find(int fd) {
        if (!active) {
            return -1;
        }
        for (int h = hash(fd); stamps[h] == generation; h = (h + 1) & mask) {
            if (fds[h] == fd) {
                return slots[h];
            }
        }
        return -1;
    }

    /** Records that {@code fd} has output slot {@code slot} in this batch. */
    void put(int fd, int slot) {
        if (!active) {
            return;
        }
        int h = hash(fd);
        while (stamps[h] == generation) {
            h = (h + 1) & mask;
        }
        stamps[h] = generation;
        fds[h] = fd;
        slots[h] = slot;
    }

    private int hash(int fd) {
        int x = fd * 0x9E3779B9;
        return (x ^ x >>> 16) & mask;
    }
}
