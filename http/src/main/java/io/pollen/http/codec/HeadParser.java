package io.pollen.http.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The reusable, resumable state machine for a message head: a start line (parsed by the subclass)
 * followed by header fields and an empty line. It consumes bytes straight from the caller's
 * {@link ByteBuffer}, so a head may arrive split at any byte boundary over any number of reads,
 * and copies only the bytes of tokens it keeps (method, target, names, values) into one reused
 * array; no regex, no String and no object per byte, field or message.
 *
 * <p>The common head takes a shorter way through the same rules: a line that arrived whole and is
 * well formed is taken in one step (a table scan per token, one copy per token); anything else —
 * a line split across reads, a stray byte, a line over a limit — goes byte by byte through the
 * state machine from its first byte, which judges it and names any error. Both ways record the
 * same fields ({@code HeadParserPropertyTest} holds them to it).
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

    protected final Limits limits;
    private final int headerStatus;

    /**
     * Where a direct buffer's bytes are copied to be parsed (see {@link #parse(ByteBuffer)}): one
     * per thread, not per parser, since an idle connection keeps its parser.
     */
    private static final ThreadLocal<byte[]> CHUNKS = ThreadLocal.withInitial(() -> new byte[256]);

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
        if (in.hasArray()) {
            int base = in.arrayOffset();
            try {
                pos = parse(in.array(), base + pos, base + lim) - base;
                return state == DONE;
            } finally {
                in.position(pos);
            }
        }
        // A direct buffer: copied in chunks to an array and parsed there. Byte by byte, a direct
        // buffer costs a bounds and a memory-session check per byte (the head parser was a third
        // of a pipelined server's cpu); the copy costs one call per chunk. Bytes copied past the
        // end of the head are simply not consumed.
        byte[] c = CHUNKS.get();
        try {
            while (pos < lim && state != DONE) {
                int n = Math.min(c.length, lim - pos);
                in.get(pos, c, 0, n);
                pos += parse(c, 0, n);
            }
            return state == DONE;
        } finally {
            in.position(pos);
        }
    }

    /** Parses {@code a[pos, lim)}; returns the index after the last byte consumed. */
    private int parse(byte[] a, int pos, int lim) throws HttpParseException {
        if (state < 0) {
            pos = parseStartLine(a, pos, lim);
            if (state < 0) {
                return pos;
            }
        }
        if (state != DONE) {
            pos = parseHeaders(a, pos, lim);
            if (state == DONE) {
                complete();
            }
        }
        return pos;
    }

    private int parseHeaders(byte[] in, int pos, int lim) throws HttpParseException {
        int max = limits.maxHeaderBytes();
        while (pos < lim) {
            if (state == H_LINE_START) {
                int end = wholeLine(in, pos, lim, max);
                if (end >= 0) {
                    pos = end;
                    if (state == DONE) {
                        return pos;
                    }
                    continue;
                }
            }
            byte b = in[pos++];
            if (++headerBytes > max) {
                throw new HttpParseException(headerStatus, "header section larger than " + max + " bytes");
            }
            switch (state) {
                case H_LINE_START -> {
                    if (b == Ascii.CR) {
                        state = H_END_LF;
                    } else if (b == Ascii.LF) {
                        state = DONE;
                        return pos;
                    } else if (Ascii.isTchar(b)) {
                        nameStart = storeLength;
                        keep(b);
                        state = H_NAME;
                        pos = keepNameRun(in, pos, lim, max);
                    } else if (b == Ascii.SP || b == Ascii.HT) {
                        throw new HttpParseException(400, "obsolete line folding in header section");
                    } else {
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " at start of header field");
                    }
                }
                case H_NAME -> {
                    if (Ascii.isTchar(b)) {
                        keep(b);
                        pos = keepNameRun(in, pos, lim, max);
                    } else if (b == ':') {
                        nameEnd = storeLength;
                        valueStart = storeLength;
                        valueEnd = storeLength;
                        state = H_VALUE_LEAD;
                    } else {
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in header field name");
                    }
                }
                case H_VALUE_LEAD, H_VALUE -> {
                    if (b == Ascii.CR) {
                        state = H_VALUE_LF;
                    } else if (b == Ascii.LF) {
                        endField();
                    } else if (b == Ascii.SP || b == Ascii.HT) {
                        if (state == H_VALUE) {
                            keep(b); // inner whitespace; trailing whitespace is cut by valueEnd
                        }
                    } else if (Ascii.isFieldVchar(b)) {
                        if (state == H_VALUE_LEAD) {
                            valueStart = storeLength;
                            state = H_VALUE;
                        }
                        keep(b);
                        valueEnd = storeLength;
                        pos = keepValueRun(in, pos, runStop(pos, lim, max));
                    } else {
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in header field value");
                    }
                }
                case H_VALUE_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF in header field");
                    }
                    endField();
                }
                case H_END_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF at end of header section");
                    }
                    state = DONE;
                    return pos;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        return pos;
    }

    /**
     * Takes a whole field line, or the empty line that ends the section, in one step: the common
     * case, where a line arrived whole and is well formed. Returns the index after the line, or -1
     * when the line is not whole in {@code in[pos, lim)} (or would pass the section's limit) or has
     * anything the byte-wise machine must judge (obsolete folding, a stray CR, a byte no field may
     * hold, an empty name): nothing is changed then, and the machine takes the line from its first
     * byte, giving any error. The fields it records are the machine's, byte for byte (the store
     * keeps a value's trailing whitespace too; {@code valueEnd} stops short of it).
     */
    private int wholeLine(byte[] in, int pos, int lim, int max) throws HttpParseException {
        int stop = runStop(pos, lim, max);
        int p = pos;
        if (p < stop && (in[p] == Ascii.CR || in[p] == Ascii.LF)) {
            int end = lineEnd(in, p, stop);
            if (end > 0) {
                headerBytes += end - pos;
                state = DONE;
            }
            return end;
        }
        p = span(in, p, stop, Ascii.TCHAR);
        if (p == pos || p >= stop || in[p] != ':') {
            return -1;
        }
        int colon = p++;
        while (p < stop && (in[p] == Ascii.SP || in[p] == Ascii.HT)) {
            p++;
        }
        int value = p;
        p = span(in, p, stop, Ascii.VALUE);
        int end = lineEnd(in, p, stop);
        if (end < 0) {
            return -1;
        }
        int visibleEnd = trimEnd(in, value, p);
        nameStart = storeLength;
        append(in, pos, colon - pos);
        nameEnd = storeLength;
        valueStart = storeLength;
        append(in, value, p - value);
        valueEnd = valueStart + (visibleEnd - value);
        headerBytes += end - pos;
        endField();
        return end;
    }

    /**
     * Where a run of bytes from {@code pos} may end: at {@code lim}, or where the header section
     * would pass {@code max}, so that the byte over the limit goes through the byte-wise check.
     */
    private int runStop(int pos, int lim, int max) {
        return bound(pos, lim, max - headerBytes);
    }

    /** {@code min(lim, pos + room)}, without overflow when a limit is near {@code Integer.MAX_VALUE}. */
    protected static int bound(int pos, int lim, int room) {
        return lim - pos > room ? pos + room : lim;
    }

    /** Keeps the rest of a field name in one loop; returns where it ended. */
    private int keepNameRun(byte[] in, int pos, int lim, int max) {
        int end = keepRun(in, pos, runStop(pos, lim, max), Ascii.TCHAR);
        headerBytes += end - pos;
        return end;
    }

    /**
     * Keeps the value bytes (field-vchar, SP, HT) of {@code in[pos, stop)} up to the first other
     * byte and moves {@code valueEnd} past the last visible one (trailing whitespace is not part of
     * the value). Returns where the run ended.
     */
    private int keepValueRun(byte[] in, int pos, int stop) {
        int base = storeLength;
        int end = keepRun(in, pos, stop, Ascii.VALUE);
        headerBytes += end - pos;
        int visibleEnd = trimEnd(in, pos, end);
        if (visibleEnd > pos) {
            valueEnd = base + visibleEnd - pos;
        }
        return end;
    }

    private void endField() throws HttpParseException {
        if (fieldCount == limits.maxHeaderCount()) {
            throw new HttpParseException(headerStatus, "more than " + limits.maxHeaderCount() + " header fields");
        }
        int i = fieldCount * 4;
        if (i + 4 > fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[i] = nameStart;
        fields[i + 1] = nameEnd;
        fields[i + 2] = valueStart;
        fields[i + 3] = valueEnd;
        fieldCount++;
        state = H_LINE_START;
    }

    /** Appends one kept byte; the store grows (by doubling) up to the limits, which bound it. */
    protected final void keep(byte b) {
        if (storeLength == store.length) {
            store = Arrays.copyOf(store, store.length * 2);
        }
        store[storeLength++] = b;
    }

    /** The index after the line end (LF, or CR LF) at {@code in[p]}, or -1 when none is whole before {@code stop}. */
    protected static int lineEnd(byte[] in, int p, int stop) {
        return p < stop && in[p] == Ascii.LF ? p + 1
                : p + 1 < stop && in[p] == Ascii.CR && in[p + 1] == Ascii.LF ? p + 2 : -1;
    }

    /** Where {@code in[from, end)} ends without its trailing whitespace (SP, HT): not part of a value. */
    private static int trimEnd(byte[] in, int from, int end) {
        while (end > from && (in[end - 1] == Ascii.SP || in[end - 1] == Ascii.HT)) {
            end--;
        }
        return end;
    }

    /** The index of the first byte of {@code in[pos, stop)} that {@code allowed} refuses, or {@code stop}. */
    protected static int span(byte[] in, int pos, int stop, boolean[] allowed) {
        int p = pos;
        while (p < stop && allowed[in[p] & 0xff]) {
            p++;
        }
        return p;
    }

    /** Appends {@code in[from, from + n)} to the kept bytes in one copy (bounded by the limits). */
    protected final void append(byte[] in, int from, int n) {
        if (storeLength + n > store.length) {
            store = Arrays.copyOf(store, Math.max(store.length * 2, storeLength + n));
        }
        System.arraycopy(in, from, store, storeLength, n);
        storeLength += n;
    }

    /**
     * Keeps the bytes of {@code in[pos, stop)} that {@code allowed} admits, up to the first one it
     * does not; returns where the run ended. A scan and one copy: the byte-wise state machine
     * would store its fields per byte, and most of a head is such runs (a target, names, values).
     */
    protected final int keepRun(byte[] in, int pos, int stop, boolean[] allowed) {
        int end = span(in, pos, stop, allowed);
        append(in, pos, end - pos);
        return end;
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

    /** {@link #connectionOptions}: the field lists "close". */
    private static final int CONNECTION_CLOSE = 1;
    /** {@link #connectionOptions}: the field lists "keep-alive". */
    private static final int CONNECTION_KEEP_ALIVE = 2;
    private static final byte[] CLOSE = Ascii.lowerBytes("close");
    private static final byte[] KEEP_ALIVE = Ascii.lowerBytes("keep-alive");

    /**
     * The options a {@code Connection} field {@code i} lists that decide keep-alive, in a request
     * and in a response alike, as bits for {@link #keepsAlive}: "close" and "keep-alive" (any case,
     * in any order among other options, separated by commas and whitespace).
     */
    protected final int connectionOptions(int i) {
        int bits = 0;
        int p = valueStart(i);
        int end = valueEnd(i);
        while (p < end) {
            while (p < end && (store[p] == Ascii.SP || store[p] == Ascii.HT || store[p] == ',')) p++;
            int s = p;
            while (p < end && store[p] != ',' && store[p] != Ascii.SP && store[p] != Ascii.HT) p++;
            if (Ascii.equalsLower(store, s, p - s, CLOSE)) {
                bits |= CONNECTION_CLOSE;
            } else if (Ascii.equalsLower(store, s, p - s, KEEP_ALIVE)) {
                bits |= CONNECTION_KEEP_ALIVE;
            }
        }
        return bits;
    }

    /**
     * Whether a message whose {@code Connection} fields listed {@code options} (the
     * {@link #connectionOptions} of each, or-ed) keeps its connection open: "close" always wins;
     * HTTP/1.0 stays open only when asked to (RFC 9112 §9.3).
     */
    protected static boolean keepsAlive(int options, boolean http11) {
        return (options & CONNECTION_CLOSE) == 0 && (http11 || (options & CONNECTION_KEEP_ALIVE) != 0);
    }

    /**
     * The length a {@code Content-Length} field {@code i} declares. A list of identical values
     * ("5, 5", what a proxy that joined two fields sends) is that value (RFC 9110 §8.6); anything
     * else that is not one decimal number is a 400, and more than 18 digits a 413. {@code earlier}
     * is what an earlier Content-Length field of the message declared (-1: none); a different value
     * is a 400 too.
     */
    protected final long declaredLength(int i, long earlier) throws HttpParseException {
        long result = -1;
        int p = valueStart(i);
        int end = valueEnd(i);
        while (p <= end) {
            while (p < end && (store[p] == Ascii.SP || store[p] == Ascii.HT)) p++;
            long v = 0;
            int digits = 0;
            while (p < end && store[p] >= '0' && store[p] <= '9') {
                if (++digits > 18) {
                    throw new HttpParseException(413, "Content-Length too large");
                }
                v = v * 10 + (store[p++] - '0');
            }
            while (p < end && (store[p] == Ascii.SP || store[p] == Ascii.HT)) p++;
            if (digits == 0 || (p < end && store[p] != ',') || (result >= 0 && v != result)) {
                throw new HttpParseException(400, "invalid Content-Length " + headerValue(i));
            }
            result = v;
            p++; // past the comma (or the end)
        }
        if (earlier >= 0 && result != earlier) {
            throw new HttpParseException(400, "conflicting Content-Length values");
        }
        return result;
    }

    /** Whether the value of field {@code i} equals {@code lower} ignoring ASCII case. */
    public final boolean valueEquals(int i, byte[] lower) {
        return Ascii.equalsLower(store, valueStart(i), valueEnd(i) - valueStart(i), lower);
    }
}
