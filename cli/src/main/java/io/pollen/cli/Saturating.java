package io.pollen.cli;

import java.time.Duration;

/**
 * Time arithmetic that saturates instead of overflowing: option values go up to
 * {@code Long.MAX_VALUE} milliseconds ("effectively forever"), and a sum or a conversion to
 * nanoseconds of such a value must stay "forever", never wrap into the past (an instant timeout).
 */
final class Saturating {
    private Saturating() {
    }

    /** {@code a + b} for non-negative values, {@code Long.MAX_VALUE} when it would overflow. */
    static long add(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (sum < 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }

    /** {@code d} in nanoseconds, {@code Long.MAX_VALUE} when it does not fit. */
    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** The {@link System#nanoTime()} instant {@code d} from now; {@code Long.MAX_VALUE} for "never". */
    static long deadline(Duration d) {
        return add(System.nanoTime(), nanos(d));
    }
}
