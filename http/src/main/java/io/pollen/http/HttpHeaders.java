package io.pollen.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, ordered list of header fields with case-insensitive name lookup (RFC 9110 §5.1:
 * field names are case-insensitive; the order of fields with the same name is significant).
 *
 * {@snippet class=io.pollen.http.snippets.HttpSnippetsTest region=headers}
 *
 * <p>Names keep the spelling they were given. Values are not validated beyond rejecting CR and LF
 * (which would allow response splitting); names must be HTTP tokens. Lookup is a linear scan,
 * which is faster than hashing for the handful of fields a message has; do not use it for
 * thousands of fields.
 */
public final class HttpHeaders {
    /** No fields. */
    public static final HttpHeaders EMPTY = new HttpHeaders(new String[0]);

    /** name0, value0, name1, value1, ... */
    private final String[] pairs;

    private HttpHeaders(String[] pairs) {
        this.pairs = pairs;
    }

    /**
     * Headers from alternating names and values: {@code of("A", "1", "B", "2")}.
     *
     * @throws IllegalArgumentException odd count, a name that is not a token, or CR/LF in a value
     */
    public static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must alternate");
        }
        String[] copy = namesAndValues.clone();
        for (int i = 0; i < copy.length; i += 2) {
            checkName(copy[i]);
            checkValue(copy[i + 1]);
        }
        return new HttpHeaders(copy);
    }

    /** Trusted constructor for parsed fields (already validated by the parser). */
    static HttpHeaders ofTrusted(String[] pairs) {
        return new HttpHeaders(pairs);
    }

    static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty header name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7f || !io.pollen.http.codec.Ascii.isTchar((byte) c)) {
                throw new IllegalArgumentException("invalid header name: " + name);
            }
        }
    }

    static void checkValue(String value) {
        Objects.requireNonNull(value, "value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                throw new IllegalArgumentException("invalid character in header value: " + value);
            }
        }
    }

    /** This list plus one field at the end. */
    public HttpHeaders with(String name, String value) {
        checkName(name);
        checkValue(value);
        String[] p = java.util.Arrays.copyOf(pairs, pairs.length + 2);
        p[pairs.length] = name;
        p[pairs.length + 1] = value;
        return new HttpHeaders(p);
    }

    /** This list without any field named {@code name} (any case). */
    public HttpHeaders without(String name) {
        List<String> p = new ArrayList<>(pairs.length);
        for (int i = 0; i < pairs.length; i += 2) {
            if (!pairs[i].equalsIgnoreCase(name)) {
                p.add(pairs[i]);
                p.add(pairs[i + 1]);
            }
        }
        return new HttpHeaders(p.toArray(String[]::new));
    }

    /** The value of the first field named {@code name} (any case), or null. */
    public String first(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                return pairs[i + 1];
            }
        }
        return null;
    }

    /** The values of every field named {@code name}, in order; empty if none. */
    public List<String> all(String name) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                out.add(pairs[i + 1]);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    /** The distinct names, lower-cased, in order of first appearance. */
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.add(pairs[i].toLowerCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(out);
    }

    /** Number of fields (not distinct names). */
    public int size() {
        return pairs.length / 2;
    }

    public String name(int i) {
        return pairs[2 * Objects.checkIndex(i, size())];
    }

    public String value(int i) {
        return pairs[2 * Objects.checkIndex(i, size()) + 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpHeaders h && java.util.Arrays.equals(pairs, h.pairs);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(pairs);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            sb.append(i == 0 ? "" : ", ").append(pairs[i]).append(": ").append(pairs[i + 1]);
        }
        return sb.append('}').toString();
    }
}
