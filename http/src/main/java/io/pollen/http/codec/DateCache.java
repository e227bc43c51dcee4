package io.pollen.http.codec;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.LongSupplier;

/**
 * The {@code Date} header line ({@code "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"}, IMF-fixdate of
 * RFC 9110 §5.6.7) as bytes, formatted at most once per second of the clock: a response reads the
 * cached array, so writing a Date costs a copy, not a format.
 *
 * <p>{@link #line(long)} takes the {@link System#nanoTime()} the server read anyway: the wall
 * clock is read only when that monotonic time leaves the wall-clock second the line was made in,
 * so a response costs no clock read at all. The Date may then lag a second boundary by
 * under a millisecond (the wall clock is read in whole milliseconds), or by up to a second right
 * after the wall clock is stepped; HTTP asks only for the best available approximation.
 *
 * <p>Thread-safe: the cache is one immutable snapshot behind a volatile field; two threads that
 * see a new second at once may both format it (harmless). The clock is injectable for tests.
 */
public final class DateCache {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** A line and the {@code System.nanoTime()} span it is known valid for, [validFrom, validUntil). */
    private record Entry(long second, byte[] line, long validFrom, long validUntil) {
    }

    private final LongSupplier millisClock;
    private volatile Entry entry = new Entry(Long.MIN_VALUE, null, 0, 0);

    public DateCache() {
        this(System::currentTimeMillis);
    }

    public DateCache(LongSupplier millisClock) {
        this.millisClock = millisClock;
    }

    /**
     * The header line, CRLF included, for the monotonic time {@code nanoNow} (a
     * {@link System#nanoTime()} value the caller read anyway); reads the wall clock about once a
     * second. Do not modify the array.
     */
    public byte[] line(long nanoNow) {
        Entry e = entry;
        if (nanoNow - e.validFrom >= 0 && nanoNow - e.validUntil < 0) {
            return e.line;
        }
        long millis = millisClock.getAsLong();
        long second = Math.floorDiv(millis, 1000);
        long untilNextSecond = (1000 - Math.floorMod(millis, 1000)) * 1_000_000L;
        e = new Entry(second, e.second == second ? e.line : lineOf(second), nanoNow, nanoNow + untilNextSecond);
        entry = e;
        return e.line;
    }

    private static byte[] lineOf(long second) {
        return Ascii.bytes("Date: " + format(second) + "\r\n");
    }

    /** IMF-fixdate of an epoch second, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    public static String format(long epochSecond) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(29);
        sb.append(DAYS[t.getDayOfWeek().getValue() - 1]).append(", ");
        two(sb, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
        sb.append(t.getYear()).append(' ');
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond()).append(" GMT");
        return sb.toString();
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
