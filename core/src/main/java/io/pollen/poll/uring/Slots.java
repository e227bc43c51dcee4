package io.pollen.poll.uring;

import java.util.Arrays;

/**
 * The owners of in-flight io_uring operations, found from a completion's {@code user_data} in
 * O(1), with stale completions rejected.
 *
 * <p>{@code user_data = generation << 32 | index}: the index says where the owner lives, the
 * generation (31 bits, so every slot's user data is {@code >= 0}; negative values are left for the
 * ring's own operations) says which owner of that index it was. {@link #close} bumps the
 * generation, so a completion the kernel posts for a closed owner (a cancelled poll's last CQE, an
 * old registration of an fd number the process has since reused) no longer matches and
 * {@link #owner} answers -1.
 *
 * <p>Each slot also keeps a token and an int of bits for its owner (the Poll token and interest
 * for the readiness backend). Indexes are either chosen by the caller ({@link #open}, e.g. the fd)
 * or, in a pooled table, taken from a free list ({@link #allocate}). Not thread-safe; the owner
 * serialises access.
 */
final class Slots {
    private static final int LIVE = 1 << 31;

    private int[] gens;
    private int[] state;   // LIVE | owner bits
    private long[] tokens;
    private int[] free;
    private int freeTop;
    private int nextFresh;
    private final boolean pooled;

    /** A table of {@code capacity} slots to begin with; {@code pooled} keeps a free list for {@link #allocate}. */
    Slots(int capacity, boolean pooled) {
        this.pooled = pooled;
        gens = new int[capacity];
        state = new int[capacity];
        tokens = new long[capacity];
        free = new int[capacity];
    }

    /** Makes index {@code i} live with {@code token} and {@code bits}; returns its user data. */
    long open(int i, long token, int bits) {
        ensure(i);
        if ((state[i] & LIVE) != 0) {
            throw new IllegalStateException("slot " + i + " is in use");
        }
        state[i] = LIVE | (bits & ~LIVE);
        tokens[i] = token;
        return userData(i);
    }

    /** A free index (reused first, then fresh ones) made live with {@code token} and {@code bits}. */
    int allocate(long token, int bits) {
        if (!pooled) {
            throw new IllegalStateException("allocate() needs a pooled table");
        }
        int i = freeTop > 0 ? free[--freeTop] : nextFresh++;
        open(i, token, bits);
        return i;
    }

    /** Ends slot {@code i}: its user data is stale from now on. Idempotent. */
    void close(int i) {
        if (i < 0 || i >= state.length || (state[i] & LIVE) == 0) {
            return;
        }
        state[i] = 0;
        gens[i] = (gens[i] + 1) & 0x7fff_ffff;
        if (!pooled) {
            return;
        }
        if (freeTop == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeTop++] = i;
    }

    /** The index {@code userData} belongs to, or -1 if it is not a slot's or is stale. */
    int owner(long userData) {
        if (userData < 0) {
            return -1;
        }
        int i = (int) userData;
        if (i < 0 || i >= state.length || (state[i] & LIVE) == 0 || gens[i] != (int) (userData >>> 32)) {
            return -1;
        }
        return i;
    }

    boolean isLive(int i) {
        return i >= 0 && i < state.length && (state[i] & LIVE) != 0;
    }

    /** The user data of live slot {@code i}'s current generation. */
    long userData(int i) {
        return (long) gens[i] << 32 | i;
    }

    long token(int i) {
        return tokens[i];
    }

    int bits(int i) {
        return state[i] & ~LIVE;
    }

    void bits(int i, int bits) {
        state[i] = LIVE | (bits & ~LIVE);
    }

    /** How many slots are live (O(n); for tests and diagnostics). */
    int live() {
        int n = 0;
        for (int s : state) {
            if ((s & LIVE) != 0) {
                n++;
            }
        }
        return n;
    }

    private void ensure(int i) {
        if (i < 0) {
            throw new IllegalArgumentException("negative slot index " + i);
        }
        if (i >= state.length) {
            int n = Math.max(state.length * 2, i + 1);
            gens = Arrays.copyOf(gens, n);
            state = Arrays.copyOf(state, n);
            tokens = Arrays.copyOf(tokens, n);
        }
    }
}
