package io.pollen.bench.servers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level HTTP/1.1 used by the hand-written competitors (the java.nio loop and the
 * virtual-thread server): find each complete request head in an input buffer, append the
 * response to an output buffer. Pipelined requests are answered in order, all of them per call.
 *
 * <p>Every server of the harness answers {@code GET /plaintext} with exactly {@link #response()}
 * bytes: {@code Content-Type}, {@code Content-Length}, {@code Server}, {@code Date} and the body
 * {@code Hello, World!}. Other paths get 404; a request with a body (non-zero
 * {@code Content-Length} or any {@code Transfer-Encoding}) gets 400 and a close, because no
 * benchmark sends one; a head longer than {@link #MAX_HEAD} gets 431 and a close.
 * {@code Connection: close} and HTTP/1.0 without keep-alive close after the response.
 *
 * <p>Not a general parser: it does not validate header syntax or support bodies. It is exactly
 * what a benchmark server needs and no more, identical for both hand-written servers.
 */
public final class PlaintextHttp {

    /** Longest request head accepted. */
    public static final int MAX_HEAD = 8192;
    /** Room one response needs in the output buffer. */
    public static final int MAX_RESPONSE = 256;

    /** {@link #serve} consumed every complete request; what remains (if any) is a partial head. */
    public static final int NEED_MORE = 0;
    /** {@link #serve} stopped because the output buffer is nearly full: flush it and call again. */
    public static final int OUT_FULL = 1;
    /** The last response asks to close the connection once the output is flushed. */
    public static final int CLOSE = 2;

    public static final String BODY = "Hello, World!";
    public static final String SERVER = "pollen-bench";

    private static final byte[] HEAD_200 = ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
            + "Server: " + SERVER + "\r\nDate: ");
    private static final byte[] TAIL_200 = ascii("\r\n\r\n" + BODY);
    private static final byte[] HEAD_404 = ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nServer: " + SERVER + "\r\nDate: ");
    private static final byte[] TAIL_404 = ascii("\r\n\r\n");
    private static final byte[] RESP_400 = ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    private static final byte[] RESP_431 =
            ascii("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    private static final byte[] GET_PLAINTEXT = ascii("GET /plaintext ");
    private static final byte[] HTTP_10 = ascii("HTTP/1.0");

    private PlaintextHttp() {}

    /** The full 200 response as sent now (the Date changes every second; the length never does). */
    public static byte[] response() {
        ByteBuffer b = ByteBuffer.allocate(MAX_RESPONSE);
        put200(b);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /**
     * Answers every complete request in {@code in} (read mode: position..limit) into {@code out}
     * (write mode), advancing {@code in}'s position past what it answered.
     *
     * @return {@link #NEED_MORE}, {@link #OUT_FULL} or {@link #CLOSE}
     */
    public static int serve(ByteBuffer in, ByteBuffer out) {
        while (true) {
            int start = in.position();
            int end = headEnd(in, start, in.limit());
            if (end < 0) {
                if (in.limit() - start < MAX_HEAD) return NEED_MORE;
                if (out.remaining() < MAX_RESPONSE) return OUT_FULL;
                out.put(RESP_431);
                in.position(in.limit());
                return CLOSE;
            }
            if (out.remaining() < MAX_RESPONSE) return OUT_FULL;
            in.position(end);
            int verdict = answer(in, start, end, out);
            if (verdict == CLOSE) return CLOSE;
        }
    }

    /** Index just past the first CRLFCRLF in [from, to), or -1. */
    private static int headEnd(ByteBuffer b, int from, int to) {
        for (int i = from + 3; i < to; i++) {
            if (b.get(i) == '\n' && b.get(i - 1) == '\r' && b.get(i - 2) == '\n' && b.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static int answer(ByteBuffer in, int start, int end, ByteBuffer out) {
        boolean close = false;
        boolean keepAlive = false;
        boolean body = false;
        // Request line first, then one header line at a time.
        int lineEnd = lineEnd(in, start, end);
        boolean http10 = lineEnd - start >= 8 && matches(in, lineEnd - 8, HTTP_10);
        for (int line = lineEnd + 2; line < end - 2; line = lineEnd(in, line, end) + 2) {
            int le = lineEnd(in, line, end);
            if (startsWithIgnoreCase(in, line, le, "connection:")) {
                close |= containsIgnoreCase(in, line, le, "close");
                keepAlive |= containsIgnoreCase(in, line, le, "keep-alive");
            } else if (startsWithIgnoreCase(in, line, le, "transfer-encoding:")) {
                body = true;
            } else if (startsWithIgnoreCase(in, line, le, "content-length:")) {
                body |= !isZero(in, line + "content-length:".length(), le);
            }
        }
        if (body) {
            out.put(RESP_400);
            return CLOSE;
        }
        if (matches(in, start, GET_PLAINTEXT)) {
            put200(out);
        } else {
            out.put(HEAD_404).put(HttpDate.bytes()).put(TAIL_404);
        }
        return close || (http10 && !keepAlive) ? CLOSE : NEED_MORE;
    }

    private static void put200(ByteBuffer out) {
        out.put(HEAD_200).put(HttpDate.bytes()).put(TAIL_200);
    }

    private static int lineEnd(ByteBuffer b, int from, int end) {
        for (int i = from; i < end - 1; i++) {
            if (b.get(i) == '\r' && b.get(i + 1) == '\n') return i;
        }
        return end - 2;
    }

    private static boolean matches(ByteBuffer b, int at, byte[] s) {
        if (at + s.length > b.limit()) return false;
        for (int i = 0; i < s.length; i++) {
            if (b.get(at + i) != s[i]) return false;
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(ByteBuffer b, int from, int to, String prefix) {
        if (to - from < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase((char) b.get(from + i)) != prefix.charAt(i)) return false;
        }
        return true;
    }

    private static boolean containsIgnoreCase(ByteBuffer b, int from, int to, String word) {
        for (int i = from; i + word.length() <= to; i++) {
            if (startsWithIgnoreCase(b, i, to, word)) return true;
        }
        return false;
    }

    private static boolean isZero(ByteBuffer b, int from, int to) {
        boolean digit = false;
        for (int i = from; i < to; i++) {
            byte c = b.get(i);
            if (c == ' ' || c == '\t') continue;
            if (c != '0') return false;
            digit = true;
        }
        return digit;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
