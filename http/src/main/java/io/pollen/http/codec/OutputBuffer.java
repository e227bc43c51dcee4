package io.pollen.http.codec;

import java.nio.ByteBuffer;

/**
 * A growable direct buffer that responses (or requests) are encoded into and written from. It is
 * kept in write mode: encoders append, and the writer calls {@link #flipForWrite()}, writes, then
 * {@link #compactAfterWrite()}, so several encoded messages leave in one {@code write} call.
 *
 * <p>It grows to fit whatever is appended and drops back to its initial size once emptied after
 * a large message, so a connection that once sent a big body does not keep the memory.
 */
public final class OutputBuffer {
    private final int initial;
    private ByteBuffer buf;

    public OutputBuffer(int initial) {
        this.initial = initial;
        this.buf = ByteBuffer.allocateDirect(initial);
    }

    /** Bytes waiting to be written. */
    public int pending() {
        return buf.position();
    }

    public boolean isEmpty() {
        return buf.position() == 0;
    }

    public void ensure(int n) {
        if (buf.remaining() >= n) {
            return;
        }
        int cap = buf.capacity();
        long need = (long) buf.position() + n;
        while (cap < need) cap *= 2;
        ByteBuffer bigger = ByteBuffer.allocateDirect(cap);
        buf.flip();
        bigger.put(buf);
        buf = bigger;
    }

    public OutputBuffer put(byte[] b) {
        ensure(b.length);
        buf.put(b);
        return this;
    }

    public OutputBuffer put(byte[] b, int off, int len) {
        ensure(len);
        buf.put(b, off, len);
        return this;
    }

    public OutputBuffer put(byte b) {
        ensure(1);
        buf.put(b);
        return this;
    }

    /** Appends an ASCII string (chars above 0xff become '?'); for rarely used, dynamic text. */
    public OutputBuffer putAscii(CharSequence s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            buf.put((byte) (c <= 0xff ? c : '?'));
        }
        return this;
    }

    /** Appends the decimal digits of a non-negative number without allocating. */
    public OutputBuffer putDecimal(long v) {
        int n = Ascii.digits(v);
        ensure(n);
        int end = buf.position() + n;
        for (int i = end - 1; i >= end - n; i--) {
            buf.put(i, (byte) ('0' + (v % 10)));
            v /= 10;
        }
        buf.position(end);
        return this;
    }

    /** Appends the lower-case hex digits of a non-negative number (a chunk size). */
    public OutputBuffer putHex(long v) {
        int n = v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 3) / 4;
        ensure(n);
        int end = buf.position() + n;
        for (int i = end - 1; i >= end - n; i--) {
            buf.put(i, (byte) "0123456789abcdef".charAt((int) (v & 15)));
            v >>>= 4;
        }
        buf.position(end);
        return this;
    }

    public OutputBuffer crlf() {
        ensure(2);
        buf.put(Ascii.CR).put(Ascii.LF);
        return this;
    }

    /** Switches to read mode: the pending bytes, for a {@code write} call. */
    public ByteBuffer flipForWrite() {
        buf.flip();
        return buf;
    }

    /** Back to write mode after a write; unwritten bytes move to the front. */
    public void compactAfterWrite() {
        if (buf.hasRemaining()) {
            buf.compact();
        } else if (buf.capacity() > initial * 16) {
            buf = ByteBuffer.allocateDirect(initial);
        } else {
            buf.clear();
        }
    }

    /** Drops all pending bytes. */
    public void clear() {
        buf.clear();
    }
}
