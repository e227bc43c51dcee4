package io.pollen.http.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A growable byte array that collects one message body, reused across messages of a connection.
 * It grows by doubling and never past the body limit it was created with (413 beyond it); after a
 * large body, {@link #clear()} drops back to a small array so an idle connection stays cheap.
 */
public final class BodyBuffer {
    private static final int INITIAL = 256;
    private static final int KEEP = 64 * 1024;

    private final long max;
    private byte[] data = new byte[0];
    private int length;

    public BodyBuffer(long max) {
        this.max = max;
    }

    /** Copies {@code n} bytes from {@code src} (advancing it). */
    public void append(ByteBuffer src, int n) throws HttpParseException {
        ensure(n);
        src.get(data, length, n);
        length += n;
    }

    public void append(byte[] src, int off, int n) throws HttpParseException {
        ensure(n);
        System.arraycopy(src, off, data, length, n);
        length += n;
    }

    private void ensure(int n) throws HttpParseException {
        long need = (long) length + n;
        if (need > max) {
            throw new HttpParseException(413, "body larger than " + max + " bytes");
        }
        if (need > data.length) {
            long cap = Math.max(INITIAL, data.length);
            while (cap < need) cap *= 2;
            data = Arrays.copyOf(data, (int) Math.min(cap, Math.min(max, Integer.MAX_VALUE - 8)));
        }
    }

    public int length() {
        return length;
    }

    /** The backing array; bytes {@code [0, length())} are the body. */
    public byte[] array() {
        return data;
    }

    /** A copy of the body (a shared empty array when there is none). */
    public byte[] toByteArray() {
        return length == 0 ? EMPTY : Arrays.copyOf(data, length);
    }

    public void clear() {
        length = 0;
        if (data.length > KEEP) {
            data = new byte[0];
        }
    }

    private static final byte[] EMPTY = new byte[0];
}
