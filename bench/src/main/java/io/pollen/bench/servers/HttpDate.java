package io.pollen.bench.servers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The value of the {@code Date} header, formatted at most once a second (IMF-fixdate, always 29
 * bytes, e.g. {@code Wed, 05 Nov 2025 18:24:06 GMT}). Thread-safe: readers may see the previous
 * second's value for a moment, which HTTP allows.
 */
public final class HttpDate {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** Snapshot published as one object so a reader never mixes a second with another's bytes. */
    private record Stamp(long second, byte[] bytes, String text) {}

    private static volatile Stamp stamp = format(System.currentTimeMillis() / 1000);

    private HttpDate() {}

    private static Stamp format(long second) {
        String s = FORMAT.format(Instant.ofEpochSecond(second));
        return new Stamp(second, s.getBytes(StandardCharsets.US_ASCII), s);
    }

    private static Stamp current() {
        long now = System.currentTimeMillis() / 1000;
        Stamp s = stamp;
        if (s.second != now) {
            s = format(now);
            stamp = s;
        }
        return s;
    }

    /** The current value as ASCII bytes; the array is shared, never modify it. */
    public static byte[] bytes() {
        return current().bytes;
    }

    /** The current value as a string. */
    public static String text() {
        return current().text;
    }
}
