package io.pollen.http.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The reusable, resumable state machine for a message head: a start line (parsed by the subclass)
 * followed by header fields and an empty line. It consumes bytes from the caller's
 * {@link ByteBuffer} (through a small per-thread array), so a head may arrive split at any byte
 * boundary over any number of reads, and keeps only the bytes of tokens (method, target, names,
 * values) in one reused array; no regex, no String and no object per byte, field or message.
 *
 * <p>Header fields are kept as offsets into that array: {@link #headerCount()},
 * {@link #indexOf(byte[])}, {@link #headerValue(int)}. They stay valid until {@link #reset()}.
 *
 * <p>Rules enforced here (RFC 9112 §5): a field name is a token immediately followed by a colon
 * (whitespace before the colon is rejected), obsolete line folding is rejected, a value may hold
 * visible ASCII, obs-text, SP and HTAB but no other control byte, and leading/trailing whitespace
 * of a value is dropped. A bare LF ends a line like CRLF does; a CR not followed by LF is an error.
 */
public abstract class HeadParser {
    // Header-section states; subclasses use values below 0 for their start line.
    private static final int H_LINE_START = 1;
    private static final int H_NAME = 2;
    private static final int H_VALUE_LEAD = 3;
    private static final int H_VALUE = 4;
    private static final int H_VALUE_LF = 5;
    private static final int H_END_LF = 6;
    private static final int DONE = 7;

    /** Bytes copied out of the caller's buffer per step; one array per thread, shared by its parsers. */
    private static final int CHUNK = 256;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    protected final Limits limits;
    private final int headerStatus;

    /** Kept token bytes: start-line tokens first, then names and values. */
    protected byte[] store = new byte[512];
    protected int storeLength;

    /** Four ints per field: name start, name end, value start, value end (offsets in {@link #store}). */
    private int[] fields = new int[4 * 16];
    private int fieldCount;

    protected int state;
    private int headerBytes;
    private int nameStart;
    private int nameEnd;
    private int valueStart;
    private int valueEnd;

    /**
     * @param headerStatus the status to report when the header section is too large (431 for a
     *                     request; a client uses the same value, only the message matters to it)
     */
    protected HeadParser(Limits limits, int headerStatus) {
        this.limits = limits;
        this.headerStatus = headerStatus;
        reset();
    }

    /** Forgets the current message; the arrays are kept for the next one. */
    public void reset() {
        storeLength = 0;
        fieldCount = 0;
        headerBytes = 0;
        state = initialState();
    }

    /** The state the start line begins in (a negative number). */
    protected abstract int initialState();

    /**
     * Consumes start-line bytes from {@code in[pos, lim)}. Returns the position after the last byte
     * consumed; when the start line is complete it sets {@link #state} to {@link #startHeaders()}.
     */
    protected abstract int parseStartLine(byte[] in, int pos, int lim) throws HttpParseException;

    /** Called when the head is complete: checks the fields as a whole (framing, Host, ...). */
    protected abstract void complete() throws HttpParseException;

    /** The state value that begins the header section, for the subclass to switch to. */
    protected static int startHeaders() {
        return H_LINE_START;
    }

    /** Whether a complete head has been parsed since the last {@link #reset()}. */
    public final boolean isComplete() {
        return state == DONE;
    }

    /** Whether some bytes of a message have been consumed (the message has started). */
    public final boolean hasStarted() {
        return state != initialState() || storeLength > 0;
    }

    /**
     * Parses as much of the head as {@code in} holds, advancing its position past the bytes
     * consumed. Returns true once the head is complete (the position is then at the first body byte,
     * or the next message); false if more bytes are needed (everything was consumed).
     *
     * @throws HttpParseException malformed or over a limit; the parser must be {@link #reset()}
     *                            before reuse (a server closes the connection instead)
     */
    public final boolean parse(ByteBuffer in) throws HttpParseException {
        int pos = in.position();
        int lim = in.limit();
        try {
            // Bytes are parsed from a heap copy, CHUNK at a time: token runs are then scanned and
            // copied with plain array loops instead of a checked get per byte.
            byte[] chunk = SCRATCH.get();
            while (state != DONE && pos < lim) {
                int n = Math.min(lim - pos, chunk.length);
                in.get(pos, chunk, 0, n);
                int p = 0;
                if (state < 0) {
                    p = parseStartLine(chunk, p, n);
                }
                if (state >= 0) {
                    p = parseHeaders(chunk, p, n);
                    if (state == DONE) {
                        complete();
                    }
                }
                pos += p;
            }
            return state == DONE;
        } finally {
            in.position(pos);
        }
    }

    /**
     * The header-section state machine over {@code in[pos, lim)}. The fields it updates per byte
     * live in locals while it runs (written back on every exit, exceptions included): C2 keeps
     * locals in registers, fields it loads and stores on every byte. Names and values are taken
     * as runs: one scan and one copy per token, not one trip through the switch per byte.
     */
    private int parseHeaders(byte[] in, int pos, int lim) throws HttpParseException {
        int max = limits.maxHeaderBytes();
        int st = state;
        int count = headerBytes;
        int len = storeLength;
        byte[] s = store;
        int ns = nameStart;
        int ne = nameEnd;
        int vs = valueStart;
        int ve = valueEnd;
        try {
            while (pos < lim) {
                byte b = in[pos++];
                if (++count > max) {
                    throw new HttpParseException(headerStatus, "header section larger than " + max + " bytes");
                }
                switch (st) {
                    case H_LINE_START -> {
                        if (b == Ascii.CR) {
                            st = H_END_LF;
                        } else if (b == Ascii.LF) {
                            st = DONE;
                            return pos;
                        } else if (Ascii.isTchar(b)) {
                            ns = len;
                            int e = tcharRun(in, pos, Math.min(lim, pos + max - count));
                            s = room(len, e - pos + 1);
                            copy(in, pos - 1, s, len, e - pos + 1);
                            len += e - pos + 1;
                            count += e - pos;
                            pos = e;
                            st = H_NAME;
                        } else if (b == Ascii.SP || b == Ascii.HT) {
                            throw new HttpParseException(400, "obsolete line folding in header section");
                        } else {
                            throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " at start of header field");
                        }
                    }
                    case H_NAME -> {
                        if (Ascii.isTchar(b)) { // the name goes on in a later chunk
                            int e = tcharRun(in, pos, Math.min(lim, pos + max - count));
                            s = room(len, e - pos + 1);
                            copy(in, pos - 1, s, len, e - pos + 1);
                            len += e - pos + 1;
                            count += e - pos;
                            pos = e;
                        } else if (b == ':') {
                            ne = len;
                            vs = len;
                            ve = len;
                            st = H_VALUE_LEAD;
                        } else {
                            throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in header field name");
                        }
                    }
                    case H_VALUE_LEAD, H_VALUE -> {
                        if (b == Ascii.CR) {
                            st = H_VALUE_LF;
                        } else if (b == Ascii.LF) {
                            endField(ns, ne, vs, ve);
                            st = H_LINE_START;
                        } else if ((b == Ascii.SP || b == Ascii.HT) && st == H_VALUE_LEAD) {
                            // leading whitespace is dropped
                        } else if (b == Ascii.SP || b == Ascii.HT || Ascii.isFieldVchar(b)) {
                            if (st == H_VALUE_LEAD) {
                                vs = len;
                                st = H_VALUE;
                            }
                            // b and the value bytes after it, kept at once; inner whitespace is kept,
                            // trailing whitespace is cut by valueEnd (one past the last visible byte)
                            int from = pos - 1;
                            int bound = Math.min(lim, pos + max - count);
                            int lastVisible = b == Ascii.SP || b == Ascii.HT ? -1 : from;
                            int e = pos;
                            for (; e < bound; e++) {
                                byte c = in[e];
                                if (Ascii.isFieldVchar(c)) {
                                    lastVisible = e;
                                } else if (c != Ascii.SP && c != Ascii.HT) {
                                    break;
                                }
                            }
                            s = room(len, e - from);
                            copy(in, from, s, len, e - from);
                            if (lastVisible >= 0) {
                                ve = len + lastVisible - from + 1;
                            }
                            len += e - from;
                            count += e - pos;
                            pos = e;
                        } else {
                            throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in header field value");
                        }
                    }
                    case H_VALUE_LF -> {
                        if (b != Ascii.LF) {
                            throw new HttpParseException(400, "CR not followed by LF in header field");
                        }
                        endField(ns, ne, vs, ve);
                        st = H_LINE_START;
                    }
                    case H_END_LF -> {
                        if (b != Ascii.LF) {
                            throw new HttpParseException(400, "CR not followed by LF at end of header section");
                        }
                        st = DONE;
                        return pos;
                    }
                    default -> throw new IllegalStateException("state " + st);
                }
            }
            return pos;
        } finally {
            state = st;
            headerBytes = count;
            storeLength = len;
            nameStart = ns;
            nameEnd = ne;
            valueStart = vs;
            valueEnd = ve;
        }
    }

    private void endField(int ns, int ne, int vs, int ve) throws HttpParseException {
        if (fieldCount == limits.maxHeaderCount()) {
            throw new HttpParseException(headerStatus, "more than " + limits.maxHeaderCount() + " header fields");
        }
        int i = fieldCount * 4;
        if (i + 4 > fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[i] = ns;
        fields[i + 1] = ne;
        fields[i + 2] = vs;
        fields[i + 3] = ve;
        fieldCount++;
    }

    /** Appends one kept byte; the store grows (by doubling) up to the limits, which bound it. */
    protected final void keep(byte b) {
        if (storeLength == store.length) {
            grow();
        }
        store[storeLength++] = b;
    }

    /** Doubles the store (kept bytes stay); returns it, for loops that hold it in a local. */
    protected final byte[] grow() {
        return store = Arrays.copyOf(store, store.length * 2);
    }

    /** The store, doubled as often as needed to take {@code n} more bytes after {@code len}. */
    protected final byte[] room(int len, int n) {
        while (len + n > store.length) {
            grow();
        }
        return store;
    }

    /** Copies a short run (a few bytes to a few dozen: a loop beats the arraycopy stub's call). */
    protected static void copy(byte[] src, int from, byte[] dst, int at, int n) {
        for (int i = 0; i < n; i++) {
            dst[at + i] = src[from + i];
        }
    }

    /**
     * The end of the run of token bytes in {@code in[from, bound)}. Callers bound it by the bytes
     * the limit still allows, so a run never takes a byte past a limit: that byte is then parsed on
     * its own and fails the limit check as it would have byte by byte.
     */
    protected static int tcharRun(byte[] in, int from, int bound) {
        while (from < bound && Ascii.isTchar(in[from])) {
            from++;
        }
        return from;
    }

    protected static String hex(byte b) {
        return Integer.toHexString(b & 0xff);
    }

    // ---- access to the parsed fields -------------------------------------------------------

    public final int headerCount() {
        return fieldCount;
    }

    /** The bytes the offsets below point into. Valid until {@link #reset()}. */
    public final byte[] store() {
        return store;
    }

    public final int nameStart(int i) {
        return fields[i * 4];
    }

    public final int nameEnd(int i) {
        return fields[i * 4 + 1];
    }

    public final int valueStart(int i) {
        return fields[i * 4 + 2];
    }

    public final int valueEnd(int i) {
        return fields[i * 4 + 3];
    }

    public final String headerName(int i) {
        return Ascii.string(store, nameStart(i), nameEnd(i) - nameStart(i));
    }

    public final String headerValue(int i) {
        return Ascii.string(store, valueStart(i), valueEnd(i) - valueStart(i));
    }

    /** Index of the first field named {@code lowerName} (lower-case ASCII), from {@code from}; -1 if none. */
    public final int indexOf(byte[] lowerName, int from) {
        for (int i = from; i < fieldCount; i++) {
            int s = fields[i * 4];
            if (Ascii.equalsLower(store, s, fields[i * 4 + 1] - s, lowerName)) {
                return i;
            }
        }
        return -1;
    }

    public final int indexOf(byte[] lowerName) {
        return indexOf(lowerName, 0);
    }

    /** Whether the value of field {@code i} equals {@code lower} ignoring ASCII case. */
    public final boolean valueEquals(int i, byte[] lower) {
        return Ascii.equalsLower(store, valueStart(i), valueEnd(i) - valueStart(i), lower);
    }
}
