package io.pollen.http.codec;

import java.nio.ByteBuffer;

/**
 * A growable direct buffer that responses (or requests) are encoded into and written from. It is
 * kept in write mode: encoders append, and the writer calls {@link #flipForWrite()}, writes, then
 * {@link #compactAfterWrite()}, so several encoded messages leave in one {@code write} call.
 *
 * <p>It holds memory only while bytes wait: its buffer comes from a {@link BufferPool} on the
 * first append and goes back once everything is written, so an idle connection holds none. It
 * grows to fit whatever is appended by moving to a buffer of a larger class of the same pool (the
 * smaller one goes back at once), so a big response or a deep pipeline reuses pooled memory
 * instead of allocating, and a connection that once sent a big body does not keep the memory.
 */
public final class OutputBuffer {
    /** Stands for "no buffer held": zero capacity, never written to. */
    private static final ByteBuffer NONE = ByteBuffer.allocateDirect(0);

    private final BufferPool pool;
    private final int initial;
    private ByteBuffer buf = NONE;

    /** An output buffer drawing from (and returning to) {@code pool}, which must be its loop's. */
    public OutputBuffer(BufferPool pool) {
        this(pool, pool.bufferSize());
    }

    /** As {@link #OutputBuffer(BufferPool)}, starting with a buffer of at least {@code initial} bytes. */
    public OutputBuffer(BufferPool pool, int initial) {
        this.pool = pool;
        this.initial = initial;
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
        if (buf == NONE) {
            buf = pool.take(Math.max(initial, n));
            return;
        }
        long need = (long) buf.position() + n;
        if (need > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("output buffer over 2 GiB");
        }
        ByteBuffer bigger = pool.take((int) need);
        buf.flip();
        bigger.put(buf);
        pool.give(buf);
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

    /** A copy of the pending bytes from offset {@code from} (a {@link #pending()} value) to the end. */
    public byte[] copyFrom(int from) {
        byte[] b = new byte[buf.position() - from];
        buf.get(from, b);
        return b;
    }

    /** Switches to read mode: the pending bytes, for a {@code write} call. */
    public ByteBuffer flipForWrite() {
        if (buf == NONE) {
            return NONE; // nothing to write (and the shared stand-in is never touched)
        }
        buf.flip();
        return buf;
    }

    /** Back to write mode after a write; unwritten bytes move to the front. */
    public void compactAfterWrite() {
        if (buf.hasRemaining()) {
            buf.compact();
        } else {
            release();
        }
    }

    /** Drops all pending bytes (and the buffer with them). */
    public void clear() {
        release();
    }

    /** Whether a buffer is held (bytes are waiting, or were and are being written). */
    public boolean holdsBuffer() {
        return buf != NONE;
    }

    private void release() {
        if (buf != NONE) {
            pool.give(buf);
            buf = NONE;
        }
    }
}
