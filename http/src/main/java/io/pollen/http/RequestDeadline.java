package io.pollen.http;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The overall deadline of one client request: from {@link HttpClient#send} until the response's
 * last byte, across the connect, the write, any number of 1xx interim responses and a body that
 * trickles in. All arithmetic saturates: a limit too large for {@code long} nanoseconds (say
 * {@code Duration.ofMillis(Long.MAX_VALUE)}) means "no deadline", never an overflow into the past.
 */
final class RequestDeadline {
    /** Limits above this (about 146 years) are "forever": {@code nanoTime + limit} could overflow. */
    private static final long FOREVER = Long.MAX_VALUE / 2;
    static final RequestDeadline NONE = new RequestDeadline(null, 0, false);

    private final Duration limit;
    private final long at;
    private final boolean bounded;

    private RequestDeadline(Duration limit, long at, boolean bounded) {
        this.limit = limit;
        this.at = at;
        this.bounded = bounded;
    }

    /** A deadline {@code limit} from now; null or an effectively endless limit: none. */
    static RequestDeadline after(Duration limit) {
        long nanos = nanos(limit);
        if (limit == null || nanos >= FOREVER) {
            return NONE;
        }
        return new RequestDeadline(limit, System.nanoTime() + nanos, true);
    }

    /** {@code d} in nanoseconds, saturating at {@code Long.MAX_VALUE} (null: {@code Long.MAX_VALUE}). */
    static long nanos(Duration d) {
        if (d == null) {
            return Long.MAX_VALUE;
        }
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }

    boolean bounded() {
        return bounded;
    }

    /** Nanoseconds left (at least 0); {@code Long.MAX_VALUE} without a deadline. */
    long remainingNanos() {
        return bounded ? Math.max(0, at - System.nanoTime()) : Long.MAX_VALUE;
    }

    boolean expired() {
        return bounded && at - System.nanoTime() <= 0;
    }

    /**
     * The shorter of {@code limit} (null: none) and the time left: the timeout for one step of the
     * exchange (a connect, a read). Null when neither bounds the step.
     */
    Duration cap(Duration limit) {
        if (!bounded) {
            return limit;
        }
        long left = remainingNanos();
        return left < nanos(limit) ? Duration.ofNanos(Math.max(1, left)) : limit;
    }

    /** "no response within 5 s" / "response not complete within 5 s: 12 bytes received". */
    TimeoutException expiredAfter(long received) {
        return new TimeoutException(received == 0
                ? "no response within " + human(limit) + " (the request deadline)"
                : "response not complete within " + human(limit) + " (the request deadline): stalled after "
                        + received + " bytes");
    }

    /** The read timeout fired: nothing at all, or a response that stopped part way. */
    static TimeoutException silentFor(Duration readTimeout, long received) {
        return new TimeoutException(received == 0
                ? "no response within " + human(readTimeout) + " (read timeout)"
                : "response stalled after " + received + " bytes: nothing more for " + human(readTimeout)
                        + " (read timeout)");
    }

    /** A duration for an error message: {@code 300 ms}, {@code 5 s}, {@code 1.5 s}, {@code 2 min}. */
    static String human(Duration d) {
        long ms = nanos(d) / 1_000_000;
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return ms / 60_000 + " min";
    }
}
