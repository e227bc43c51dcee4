package io.pollen.poll;

import io.pollen.poll.spi.Ready;

/**
 * The readiness a source is registered for: {@link #READABLE}, {@link #WRITABLE}, {@link #PRIORITY}
 * or any combination ({@link #add}). Immutable; every combination is a shared constant, so building
 * one never allocates.
 *
 * <p>There is no "empty" interest: mio's rule, since a registration that can never fire is a bug.
 * Error, read-closed and write-closed readiness are always reported and need no interest.
 */
public final class Interest {
    // The bits every backend receives: defined once, in the SPI, and never translated on the way.
    static final int R = Ready.INTEREST_READABLE;
    static final int W = Ready.INTEREST_WRITABLE;
    static final int P = Ready.INTEREST_PRIORITY;

    private static final Interest[] ALL = new Interest[8];

    static {
        for (int bits = 1; bits < 8; bits++) {
            ALL[bits] = new Interest(bits);
        }
    }

    /** Interest in readable readiness (data, a pending connection, end of stream, an error). */
    public static final Interest READABLE = ALL[R];
    /** Interest in writable readiness (buffer space, a finished or failed connect). */
    public static final Interest WRITABLE = ALL[W];
    /** Interest in priority (out-of-band) readiness; {@code EPOLLPRI}. Not reported by the nio backend. */
    public static final Interest PRIORITY = ALL[P];

    private final int bits;

    private Interest(int bits) {
        this.bits = bits;
    }

    /** This interest plus {@code other}. */
    public Interest add(Interest other) {
        return ALL[bits | other.bits];
    }

    /**
     * This interest without {@code other}.
     *
     * @throws IllegalArgumentException if nothing would remain (an empty interest is not allowed)
     */
    public Interest remove(Interest other) {
        int left = bits & ~other.bits;
        if (left == 0) {
            throw new IllegalArgumentException("removing " + other + " from " + this + " leaves no interest");
        }
        return ALL[left];
    }

    public boolean isReadable() {
        return (bits & R) != 0;
    }

    public boolean isWritable() {
        return (bits & W) != 0;
    }

    public boolean isPriority() {
        return (bits & P) != 0;
    }

    /** The bit set handed to backends: 1 readable, 2 writable, 4 priority. */
    int bits() {
        return bits;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (isReadable()) sb.append("READABLE");
        if (isWritable()) sb.append(sb.isEmpty() ? "" : "|").append("WRITABLE");
        if (isPriority()) sb.append(sb.isEmpty() ? "" : "|").append("PRIORITY");
        return sb.toString();
    }
}
