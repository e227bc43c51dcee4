package io.pollen.http.codec;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level character classes and helpers of RFC 9110/9112, table driven so the parsers never
 * branch on ranges or allocate. Strings are only built where a caller really asks for one, and
 * then as ISO-8859-1 (one char per byte, so obs-text survives a round trip).
 */
public final class Ascii {
    private Ascii() {
    }

    public static final byte CR = '\r';
    public static final byte LF = '\n';
    public static final byte SP = ' ';
    public static final byte HT = '\t';

    /** tchar: the characters of a token (method, header name, transfer coding). */
    static final boolean[] TCHAR = new boolean[256];
    /** field-vchar / obs-text: bytes allowed inside a header value (plus SP and HT). */
    private static final boolean[] VCHAR = new boolean[256];
    /** The bytes of a header value: field-vchar, obs-text, SP and HT. */
    static final boolean[] VALUE = new boolean[256];
    /** Visible ASCII (0x21-0x7e): the bytes of a request target. */
    static final boolean[] VISIBLE = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (int c = 0x21; c <= 0x7e; c++) VISIBLE[c] = true;
        System.arraycopy(VISIBLE, 0, VCHAR, 0, 256);
        for (int c = 0x80; c <= 0xff; c++) VCHAR[c] = true;
        System.arraycopy(VCHAR, 0, VALUE, 0, 256);
        VALUE[SP] = true;
        VALUE[HT] = true;
    }

    public static boolean isTchar(byte b) {
        return TCHAR[b & 0xff];
    }

    public static boolean isFieldVchar(byte b) {
        return VCHAR[b & 0xff];
    }

    /** The lower-case of an ASCII letter, any other byte unchanged. */
    public static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** Value of a hex digit, or -1. */
    public static int hexValue(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    /** Case-insensitive comparison of {@code a[off, off+len)} with the lower-case ASCII {@code lower}. */
    public static boolean equalsLower(byte[] a, int off, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (lower(a[off + i]) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** The lower-case ASCII bytes of {@code s}. */
    public static byte[] lowerBytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) lower(b[i]);
        }
        return b;
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String string(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /** Number of decimal digits of a non-negative value. */
    public static int digits(long v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }
}
