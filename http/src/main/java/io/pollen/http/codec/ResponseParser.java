package io.pollen.http.codec;

/**
 * Parses a response head (RFC 9112 §4) for the client and decides how its body is delimited
 * (RFC 9112 §6.3): no body for a response to HEAD and for 1xx, 204 and 304; chunked when the last
 * transfer coding is chunked; Content-Length when present; otherwise until the server closes.
 * One instance per client connection, {@link #reset(boolean)} before each response.
 *
 * <p>Lenient where real servers differ and the meaning is clear: the reason phrase may be empty or
 * missing, and a bare LF ends a line. Any other deviation is an {@link HttpParseException}; so are
 * a status code outside 100–599 (RFC 9110 §15) and a response with both Content-Length and
 * Transfer-Encoding (RFC 9112 §6.3: such framing is ambiguous, the way responses get smuggled).
 */
public final class ResponseParser extends HeadParser {
    private static final int S_VERSION = -1;
    private static final int S_CODE = -2;
    private static final int S_REASON = -3;
    private static final int S_LF = -4;

    /** How the body of a response is delimited. */
    public enum Framing { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final byte[] CONTENT_LENGTH = Ascii.lowerBytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.lowerBytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.lowerBytes("connection");
    private static final byte[] CHUNKED = Ascii.lowerBytes("chunked");

    private boolean headRequest;
    private int lineBytes;
    private int minor;
    private int status;
    private int codeDigits;
    private int reasonStart;
    private int reasonEnd;
    private Framing framing;
    private long contentLength;
    private boolean keepAlive;

    public ResponseParser(Limits limits) {
        super(limits, 431);
    }

    /** Prepares for the response to a request; {@code head} if that request was a HEAD. */
    public void reset(boolean head) {
        reset();
        headRequest = head;
    }

    @Override
    public void reset() {
        super.reset();
        lineBytes = 0;
        status = 0;
        codeDigits = 0;
        reasonStart = 0;
        reasonEnd = 0;
        framing = Framing.NONE;
        contentLength = 0;
        keepAlive = false;
    }

    @Override
    protected int initialState() {
        return S_VERSION;
    }

    @Override
    protected int parseStartLine(byte[] in, int pos, int lim) throws HttpParseException {
        int max = limits.maxStartLine();
        while (pos < lim) {
            byte b = in[pos++];
            if (++lineBytes > max) {
                throw new HttpParseException(400, "status line longer than " + max + " bytes");
            }
            switch (state) {
                case S_VERSION -> {
                    if (b == Ascii.SP) {
                        checkVersion();
                        state = S_CODE;
                    } else if (storeLength < 8) {
                        keep(b);
                    } else {
                        throw new HttpParseException(400, "malformed status line");
                    }
                }
                case S_CODE -> {
                    if (b >= '0' && b <= '9' && codeDigits < 3) {
                        status = status * 10 + (b - '0');
                        codeDigits++;
                    } else if (codeDigits == 3 && (status < 100 || status > 599)) {
                        throw new HttpParseException(400, "status code " + status + " out of range 100-599");
                    } else if (codeDigits == 3 && b == Ascii.SP) {
                        reasonStart = storeLength;
                        reasonEnd = storeLength;
                        state = S_REASON;
                    } else if (codeDigits == 3 && (b == Ascii.CR || b == Ascii.LF)) {
                        reasonStart = storeLength;
                        reasonEnd = storeLength;
                        if (b == Ascii.LF) {
                            state = startHeaders();
                            return pos;
                        }
                        state = S_LF;
                    } else {
                        throw new HttpParseException(400, "malformed status code: expected three digits, got "
                                + (codeDigits == 3 ? "more" : "0x" + hex(b) + " after " + codeDigits));
                    }
                }
                case S_REASON -> {
                    if (b == Ascii.CR) {
                        state = S_LF;
                    } else if (b == Ascii.LF) {
                        state = startHeaders();
                        return pos;
                    } else if (b == Ascii.HT || b == Ascii.SP || Ascii.isFieldVchar(b)) {
                        keep(b);
                        reasonEnd = storeLength;
                    } else {
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in reason phrase");
                    }
                }
                case S_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF in status line");
                    }
                    state = startHeaders();
                    return pos;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        return pos;
    }

    private void checkVersion() throws HttpParseException {
        byte[] s = store;
        if (storeLength != 8 || s[0] != 'H' || s[1] != 'T' || s[2] != 'T' || s[3] != 'P' || s[4] != '/'
                || s[5] != '1' || s[6] != '.' || s[7] < '0' || s[7] > '9') {
            throw new HttpParseException(505, "unsupported or malformed version in status line: "
                    + Ascii.string(s, 0, storeLength));
        }
        minor = s[7] - '0';
    }

    @Override
    protected void complete() throws HttpParseException {
        boolean http11 = minor >= 1;
        int options = 0;
        boolean te = false;
        boolean chunkedLast = false;
        long cl = -1;
        for (int i = 0, n = headerCount(); i < n; i++) {
            int ns = nameStart(i);
            int nl = nameEnd(i) - ns;
            if (Ascii.equalsLower(store, ns, nl, TRANSFER_ENCODING)) {
                te = true;
                chunkedLast = lastTokenIsChunked(i);
            } else if (Ascii.equalsLower(store, ns, nl, CONTENT_LENGTH)) {
                cl = declaredLength(i, cl);
            } else if (Ascii.equalsLower(store, ns, nl, CONNECTION)) {
                options |= connectionOptions(i);
            }
        }
        if (te && cl >= 0) {
            throw new HttpParseException(400, "response has both Content-Length and Transfer-Encoding");
        }
        keepAlive = keepsAlive(options, http11);
        if (headRequest || (status >= 100 && status < 200) || status == 204 || status == 304) {
            framing = Framing.NONE;
        } else if (te) {
            framing = chunkedLast ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
        } else if (cl >= 0) {
            if (cl > limits.maxBodyBytes()) {
                throw new HttpParseException(413, "response body of " + cl + " bytes over the limit");
            }
            contentLength = cl;
            framing = cl == 0 ? Framing.NONE : Framing.LENGTH;
        } else {
            framing = Framing.UNTIL_CLOSE;
        }
        if (framing == Framing.UNTIL_CLOSE) {
            keepAlive = false;
        }
    }

    private boolean lastTokenIsChunked(int i) {
        int end = valueEnd(i);
        int s = valueStart(i);
        int p = end;
        while (p > s && store[p - 1] != ',') p--;
        while (p < end && (store[p] == Ascii.SP || store[p] == Ascii.HT)) p++;
        return Ascii.equalsLower(store, p, end - p, CHUNKED);
    }

    // ---- results -------------------------------------------------------------------------

    public int status() {
        return status;
    }

    public String reason() {
        return Ascii.string(store, reasonStart, reasonEnd - reasonStart);
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int minorVersion() {
        return Math.min(minor, 1);
    }

    public Framing framing() {
        return framing;
    }

    public long contentLength() {
        return contentLength;
    }

    /** Whether the connection can carry another request after this response's body. */
    public boolean keepAlive() {
        return keepAlive;
    }
}
