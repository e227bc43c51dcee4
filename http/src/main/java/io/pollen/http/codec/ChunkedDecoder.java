package io.pollen.http.codec;

import java.nio.ByteBuffer;

/**
 * Decodes the chunked transfer coding (RFC 9112 §7.1) into a {@link BodyBuffer}, strictly, and
 * resumable at any byte boundary without allocating. Used by the server for request bodies and by
 * the client for response bodies.
 *
 * <p>Accepted, exactly as the grammar says (framing that a proxy in front could read differently
 * is how requests are smuggled, so nothing else is):
 * <pre>
 * chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * chunk-size     = 1*HEXDIG                      (either case, leading zeros allowed)
 * chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 * chunk-ext-val  = token / quoted-string         (quoted-pair escapes inside)
 * last-chunk     = 1*"0" [ chunk-ext ] CRLF
 * trailer-section = *( field-name ":" OWS field-value OWS CRLF ) CRLF
 * </pre>
 * Extensions are checked and dropped; trailer fields are checked and dropped.
 *
 * <p>Errors, as the status of the {@link HttpParseException}: a size that is not hex, empty,
 * followed by anything but an extension or CRLF, or past 2^63; a bare LF or CR anywhere; bytes
 * after a chunk's data other than CRLF; a malformed extension; a trailer line that is not a
 * field line (no colon, a bad name, obs-fold, control bytes); a size line longer than
 * {@link Limits#maxChunkLineBytes()} or a trailer section longer than
 * {@link Limits#maxTrailerBytes()} → 400. A chunk or total body over
 * {@link Limits#maxBodyBytes()} → 413.
 */
public final class ChunkedDecoder {
    // The size line
    private static final int SIZE_START = 0;
    private static final int SIZE = 1;
    private static final int EXT_BEFORE_SEMI = 2;   // BWS after the size or a value, before ';'
    private static final int EXT_NAME_START = 3;    // after ';' (BWS allowed)
    private static final int EXT_NAME = 4;
    private static final int EXT_AFTER_NAME = 5;    // BWS after a name: '=' or ';' must follow
    private static final int EXT_VALUE_START = 6;   // after '=' (BWS allowed)
    private static final int EXT_TOKEN = 7;
    private static final int EXT_QUOTED = 8;
    private static final int EXT_QUOTED_PAIR = 9;
    private static final int EXT_AFTER_VALUE = 10;  // a closing quote or token ended: ';', BWS or CR
    private static final int SIZE_LF = 11;
    // Data
    private static final int DATA = 12;
    private static final int DATA_CR = 13;
    private static final int DATA_LF = 14;
    // The trailer section
    private static final int TRAILER_START = 15;
    private static final int TRAILER_NAME = 16;
    private static final int TRAILER_VALUE = 17;
    private static final int TRAILER_LF = 18;
    private static final int END_LF = 19;
    private static final int DONE = 20;

    private final Limits limits;
    private int state;
    private long chunkRemaining;
    private int lineBytes;
    private int trailerBytes;

    public ChunkedDecoder(Limits limits) {
        this.limits = limits;
    }

    public void reset() {
        state = SIZE_START;
        chunkRemaining = 0;
        lineBytes = 0;
        trailerBytes = 0;
    }

    public boolean isDone() {
        return state == DONE;
    }

    /**
     * Decodes what {@code in} holds, appending data to {@code body} and advancing {@code in}.
     * Returns true when the last chunk and the trailer section have been read; {@code in} is then
     * positioned at the first byte after the body (a pipelined next message).
     */
    public boolean decode(ByteBuffer in, BodyBuffer body) throws HttpParseException {
        while (in.hasRemaining() && state != DONE) {
            if (state == DATA) {
                int n = (int) Math.min(chunkRemaining, in.remaining());
                body.append(in, n); // bulk copy; the limit check lives in BodyBuffer
                chunkRemaining -= n;
                if (chunkRemaining == 0) {
                    state = DATA_CR;
                }
                continue;
            }
            byte b = in.get();
            if (state < DATA) {
                sizeLine(b, body);
            } else if (state < TRAILER_START) {
                dataEnd(b);
            } else {
                trailer(b);
            }
        }
        return state == DONE;
    }

    private void sizeLine(byte b, BodyBuffer body) throws HttpParseException {
        if (++lineBytes > limits.maxChunkLineBytes()) {
            throw error("chunk-size line longer than " + limits.maxChunkLineBytes() + " bytes");
        }
        boolean ws = b == Ascii.SP || b == Ascii.HT;
        switch (state) {
            case SIZE_START, SIZE -> {
                int h = Ascii.hexValue(b);
                if (h >= 0) {
                    if (chunkRemaining > (Long.MAX_VALUE >> 4)) {
                        throw error("chunk size overflows 63 bits");
                    }
                    chunkRemaining = chunkRemaining * 16 + h;
                    state = SIZE;
                } else if (state == SIZE_START) {
                    throw error(b == Ascii.CR || b == Ascii.LF ? "empty chunk size" : "chunk size starts with " + show(b));
                } else if (b == ';') {
                    state = EXT_NAME_START;
                } else if (ws) {
                    state = EXT_BEFORE_SEMI;
                } else if (b == Ascii.CR) {
                    endSizeLine(body);
                } else {
                    throw error(show(b) + " in chunk size");
                }
            }
            case EXT_BEFORE_SEMI, EXT_AFTER_VALUE -> {
                if (b == ';') {
                    state = EXT_NAME_START;
                } else if (ws) {
                    state = EXT_BEFORE_SEMI;
                } else if (b == Ascii.CR && state == EXT_AFTER_VALUE) {
                    endSizeLine(body);
                } else {
                    throw error(show(b) + " after chunk size or extension (expected ';'"
                            + (state == EXT_AFTER_VALUE ? " or CRLF)" : ")"));
                }
            }
            case EXT_NAME_START -> {
                if (Ascii.isTchar(b)) {
                    state = EXT_NAME;
                } else if (!ws) {
                    throw error(show(b) + " where a chunk extension name starts");
                }
            }
            case EXT_NAME, EXT_AFTER_NAME -> {
                if (Ascii.isTchar(b) && state == EXT_NAME) {
                    return;
                }
                if (b == '=') {
                    state = EXT_VALUE_START;
                } else if (b == ';') {
                    state = EXT_NAME_START;
                } else if (ws) {
                    state = EXT_AFTER_NAME;
                } else if (b == Ascii.CR && state == EXT_NAME) {
                    endSizeLine(body);
                } else {
                    throw error(show(b) + " in chunk extension name");
                }
            }
            case EXT_VALUE_START -> {
                if (b == '"') {
                    state = EXT_QUOTED;
                } else if (Ascii.isTchar(b)) {
                    state = EXT_TOKEN;
                } else if (!ws) {
                    throw error(show(b) + " where a chunk extension value starts");
                }
            }
            case EXT_TOKEN -> {
                if (b == ';') {
                    state = EXT_NAME_START;
                } else if (ws) {
                    state = EXT_BEFORE_SEMI;
                } else if (b == Ascii.CR) {
                    endSizeLine(body);
                } else if (!Ascii.isTchar(b)) {
                    throw error(show(b) + " in a chunk extension value");
                }
            }
            case EXT_QUOTED -> {
                if (b == '"') {
                    state = EXT_AFTER_VALUE;
                } else if (b == '\\') {
                    state = EXT_QUOTED_PAIR;
                } else if (!ws && !Ascii.isFieldVchar(b)) {
                    throw error(show(b) + " in a quoted chunk extension");
                }
            }
            case EXT_QUOTED_PAIR -> {
                if (!ws && !Ascii.isFieldVchar(b)) {
                    throw error(show(b) + " escaped in a quoted chunk extension");
                }
                state = EXT_QUOTED;
            }
            case SIZE_LF -> {
                if (b != Ascii.LF) {
                    throw error("CR not followed by LF after chunk size");
                }
                lineBytes = 0;
                state = chunkRemaining == 0 ? TRAILER_START : DATA;
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    /** The CR of a size line: the size is complete, so its limit is checked once, here. */
    private void endSizeLine(BodyBuffer body) throws HttpParseException {
        if (chunkRemaining > limits.maxBodyBytes() - body.length()) {
            throw new HttpParseException(413, "chunked body larger than " + limits.maxBodyBytes() + " bytes");
        }
        state = SIZE_LF;
    }

    private void dataEnd(byte b) throws HttpParseException {
        if (state == DATA_CR) {
            if (b != Ascii.CR) {
                throw error(show(b) + " after chunk data (expected CRLF: data longer than its size?)");
            }
            state = DATA_LF;
        } else {
            if (b != Ascii.LF) {
                throw error("CR not followed by LF after chunk data");
            }
            state = SIZE_START;
        }
    }

    private void trailer(byte b) throws HttpParseException {
        if (++trailerBytes > limits.maxTrailerBytes()) {
            throw error("trailer section longer than " + limits.maxTrailerBytes() + " bytes");
        }
        switch (state) {
            case TRAILER_START -> {
                if (b == Ascii.CR) {
                    state = END_LF;
                } else if (Ascii.isTchar(b)) {
                    state = TRAILER_NAME;
                } else if (b == Ascii.SP || b == Ascii.HT) {
                    throw error("obs-fold (a line starting with whitespace) in the trailer section");
                } else {
                    throw error(show(b) + " where a trailer field name starts");
                }
            }
            case TRAILER_NAME -> {
                if (b == ':') {
                    state = TRAILER_VALUE;
                } else if (!Ascii.isTchar(b)) {
                    throw error(show(b) + " in a trailer field name (a field line is name:value)");
                }
            }
            case TRAILER_VALUE -> {
                if (b == Ascii.CR) {
                    state = TRAILER_LF;
                } else if (b != Ascii.SP && b != Ascii.HT && !Ascii.isFieldVchar(b)) {
                    throw error(show(b) + " in a trailer field value");
                }
            }
            case TRAILER_LF, END_LF -> {
                if (b != Ascii.LF) {
                    throw error("CR not followed by LF in the trailer section");
                }
                state = state == END_LF ? DONE : TRAILER_START;
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    private static HttpParseException error(String what) {
        return new HttpParseException(400, "bad chunked framing: " + what);
    }

    /** A byte for an error message: printable ASCII quoted, anything else as hex ("bare LF" for LF). */
    private static String show(byte b) {
        if (b == Ascii.LF) {
            return "bare LF";
        }
        if (b > Ascii.SP && b < 0x7f) {
            return "'" + (char) b + "'";
        }
        return "byte 0x" + Integer.toHexString(b & 0xff);
    }
}
