package io.pollen.http.codec;

import java.util.List;

/**
 * Chunked bodies (RFC 9112 §7.1) shared by the decoder's tests and the server's and client's:
 * framing that must be refused, and edge cases that must be accepted.
 */
public final class ChunkedCases {
    private ChunkedCases() {
    }

    /** A body that must be refused with {@code status}. */
    public record Bad(String name, String body, int status) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A valid body: {@code decoded} is its data; {@code NEXT} follows it in the tests. */
    public record Good(String name, String body, String decoded) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String END = "0\r\n\r\n";

    /** Each must be refused; 400 unless said otherwise (with the default limits). */
    public static List<Bad> bad() {
        return List.of(
                new Bad("space inside the size (5 6)", "5 6\r\nhello\r\n" + END, 400),
                new Bad("bare LF after the size", "5\nhello\r\n" + END, 400),
                new Bad("bare CR after the size", "5\rhello\r\n" + END, 400),
                new Bad("LF inside a quoted extension", "5;a=\"x\ny\"\r\nhello\r\n" + END, 400),
                new Bad("CR inside a quoted extension", "5;a=\"x\r\ny\"\r\nhello\r\n" + END, 400),
                new Bad("trailer line without a colon", "0\r\nNoColon\r\n\r\n", 400),
                new Bad("2000 zeros as a size", "0".repeat(2000) + "\r\n\r\n", 400),
                new Bad("negative size", "-5\r\nhello\r\n" + END, 400),
                new Bad("empty size", "\r\nhello\r\n" + END, 400),
                new Bad("size overflow", "ffffffffffffffffff\r\n" + "x".repeat(16) + "\r\n" + END, 400),
                new Bad("0x prefix", "0x5\r\nhello\r\n" + END, 400),
                new Bad("whitespace after the size, no extension", "5 \r\nhello\r\n" + END, 400),
                new Bad("missing CRLF after data", "5\r\nhello" + END, 400),
                new Bad("junk after data", "5\r\nhelloXY\r\n" + END, 400),
                new Bad("bare LF after data", "5\r\nhello\n" + END, 400),
                new Bad("CR without LF after data", "5\r\nhello\rX" + END, 400),
                new Bad("empty extension name", "5;\r\nhello\r\n" + END, 400),
                new Bad("extension value with a space", "5;a=b c\r\nhello\r\n" + END, 400),
                new Bad("extension name with a slash", "5;a/b\r\nhello\r\n" + END, 400),
                new Bad("too long size line", "1;" + "e".repeat(2000) + "\r\nx\r\n" + END, 400),
                new Bad("too big trailers", "0\r\nX-Big: " + "t".repeat(9000) + "\r\n\r\n", 400),
                new Bad("too many trailer lines", "0\r\n" + "X: y\r\n".repeat(2000) + "\r\n", 400),
                new Bad("bad trailer name", "0\r\nBad Name: x\r\n\r\n", 400),
                new Bad("empty trailer name", "0\r\n: x\r\n\r\n", 400),
                new Bad("obs-fold in trailer", "0\r\nX: a\r\n  folded\r\n\r\n", 400),
                new Bad("control byte in trailer", "0\r\nX: a\u0001b\r\n\r\n", 400),
                new Bad("bare LF ends the trailers", "0\r\nX: a\n\r\n", 400),
                new Bad("bare LF as the last line", "0\r\n\n", 400),
                new Bad("CR without LF at the end", "0\r\n\r\r", 400));
    }

    /** Each must be accepted, whole and split anywhere. */
    public static List<Good> good() {
        return List.of(
                new Good("plain", "5\r\nhello\r\n" + END, "hello"),
                new Good("upper-case hex", "1F\r\n" + "x".repeat(31) + "\r\n" + END, "x".repeat(31)),
                new Good("leading zeros", "0000000005\r\nhello\r\n000\r\n\r\n", "hello"),
                new Good("extensions: token, quoted ';' and escaped quote",
                        "5;a=1;b=\"x;y\\\"z\";c\r\nhello\r\n0;last=\"\\\\\"\r\n\r\n", "hello"),
                new Good("whitespace around ';' and '='", "5 ; a = b\t;\tc=\"d\"\r\nhello\r\n" + END, "hello"),
                new Good("quoted extension with tab, space and obs-text", "5;q=\"a b\t\u00e9\"\r\nhello\r\n" + END, "hello"),
                new Good("trailers", "5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum:  abc  \r\nX-Empty:\r\n\r\n", "hello"),
                new Good("several chunks", "5\r\nhello\r\n2\r\n, \r\n5\r\nworld\r\n" + END, "hello, world"),
                new Good("no data", END, ""));
    }
}
