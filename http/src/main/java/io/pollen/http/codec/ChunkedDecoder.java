package io.pollen.http.codec;

import java.nio.ByteBuffer;

/**
 * Decodes the chunked transfer coding (RFC 9112 §7.1) into a {@link BodyBuffer}, resumable at any
 * byte boundary. Chunk extensions are skipped (bounded), trailer fields are checked only for
 * line structure and dropped. Used by the server for request bodies and by the client for
 * response bodies.
 *
 * <p>Errors: a bad size line or framing byte → 400; a chunk size or a total over the body limit
 * → 413; extensions or trailers longer than the header limit → 431 (server) or an error (client).
 */
public final class ChunkedDecoder {
    private static final int SIZE_START = 0;
    private static final int SIZE = 1;
    private static final int EXTENSION = 2;
    private static final int SIZE_LF = 3;
    private static final int DATA = 4;
    private static final int DATA_CR = 5;
    private static final int DATA_LF = 6;
    private static final int TRAILER_START = 7;
    private static final int TRAILER = 8;
    private static final int TRAILER_END_LF = 9;
    private static final int DONE = 10;

    private final Limits limits;
    private int state;
    private long chunkRemaining;
    private int metaBytes;

    public ChunkedDecoder(Limits limits) {
        this.limits = limits;
    }

    public void reset() {
        state = SIZE_START;
        chunkRemaining = 0;
        metaBytes = 0;
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
            switch (state) {
                case SIZE_START, SIZE -> {
                    int h = Ascii.hexValue(b);
                    if (h >= 0) {
                        if (chunkRemaining > (Long.MAX_VALUE >> 5)) {
                            throw new HttpParseException(413, "chunk size too large");
                        }
                        chunkRemaining = chunkRemaining * 16 + h;
                        if (body.length() + chunkRemaining > limits.maxBodyBytes()) {
                            throw new HttpParseException(413, "chunked body larger than " + limits.maxBodyBytes());
                        }
                        state = SIZE;
                    } else if (state == SIZE && (b == ';' || b == Ascii.SP || b == Ascii.HT)) {
                        state = EXTENSION;
                    } else if (state == SIZE && b == Ascii.CR) {
                        state = SIZE_LF;
                    } else if (state == SIZE && b == Ascii.LF) {
                        endSizeLine();
                    } else {
                        throw new HttpParseException(400, "invalid chunk size byte 0x" + Integer.toHexString(b & 0xff));
                    }
                }
                case EXTENSION -> {
                    meta();
                    if (b == Ascii.CR) {
                        state = SIZE_LF;
                    } else if (b == Ascii.LF) {
                        endSizeLine();
                    } else if (b != Ascii.HT && (b < Ascii.SP || b == 0x7f)) {
                        throw new HttpParseException(400, "control byte in chunk extension");
                    }
                }
                case SIZE_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF after chunk size");
                    }
                    endSizeLine();
                }
                case DATA_CR -> {
                    if (b == Ascii.CR) {
                        state = DATA_LF;
                    } else if (b == Ascii.LF) {
                        state = SIZE_START;
                    } else {
                        throw new HttpParseException(400, "chunk data longer than its size");
                    }
                }
                case DATA_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF after chunk data");
                    }
                    state = SIZE_START;
                }
                case TRAILER_START -> {
                    meta();
                    if (b == Ascii.CR) {
                        state = TRAILER_END_LF;
                    } else if (b == Ascii.LF) {
                        state = DONE;
                    } else if (Ascii.isTchar(b)) {
                        state = TRAILER;
                    } else {
                        throw new HttpParseException(400, "invalid trailer field");
                    }
                }
                case TRAILER -> {
                    meta();
                    if (b == Ascii.LF) {
                        state = TRAILER_START;
                    } else if (b != Ascii.CR && b != Ascii.HT && b < Ascii.SP && b >= 0) {
                        throw new HttpParseException(400, "control byte in trailer field");
                    }
                }
                case TRAILER_END_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF after trailers");
                    }
                    state = DONE;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        return state == DONE;
    }

    private void endSizeLine() {
        metaBytes = 0;
        state = chunkRemaining == 0 ? TRAILER_START : DATA;
    }

    private void meta() throws HttpParseException {
        if (++metaBytes > limits.maxHeaderBytes()) {
            throw new HttpParseException(431, "chunk extension or trailer section too large");
        }
    }
}
