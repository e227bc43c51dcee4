package io.pollen.http;

import java.time.Duration;

/**
 * The deadline arithmetic of a server connection, on {@link System#nanoTime()} values (which may
 * wrap, so they are compared by subtraction, never with {@code <} or {@code Math.min}).
 *
 * <p>Three limits bound a request while it arrives: the header timeout (first byte to the end of
 * the head), the request timeout (first byte to the end of the body) and the minimum body rate
 * (after a grace period, the body's average rate since its start must stay at or above it). A
 * connection's deadline is the earliest that applies; the sweep answers 408 when it passes.
 */
final class Deadlines {
    private Deadlines() {
    }

    /** Far enough to mean "never" and still safe to add to a nanoTime value (~73 years). */
    static final long NEVER = Long.MAX_VALUE / 4;

    /** The earlier of two nanoTime deadlines. */
    static long earliest(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** {@code d} in nanoseconds, saturated at {@link #NEVER}. */
    static long nanos(Duration d) {
        try {
            return Math.min(d.toNanos(), NEVER);
        } catch (ArithmeticException e) {
            return NEVER;
        }
    }

    /**
     * When a body that started at {@code bodyStart} and has {@code bodyRead} bytes falls below
     * {@code bytesPerSecond} on average: not before {@code graceNanos} from its start. No bound
     * if the rate is 0.
     */
    static long bodyRateDue(long bodyStart, long bodyRead, long bytesPerSecond, long graceNanos) {
        if (bytesPerSecond <= 0) {
            return bodyStart + NEVER;
        }
        // bodyRead * 1e9 / rate without overflow: bodies are bounded, the limit need not be.
        long earned = bodyRead / bytesPerSecond >= NEVER / 1_000_000_000L ? NEVER
                : bodyRead / bytesPerSecond * 1_000_000_000L + bodyRead % bytesPerSecond * 1_000_000_000L / bytesPerSecond;
        return bodyStart + Math.min(NEVER, Math.max(graceNanos, earned));
    }
}
