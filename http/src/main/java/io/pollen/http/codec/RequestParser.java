package io.pollen.http.codec;

/**
 * Parses a request head (RFC 9112 §3) and decides its framing: one instance per server connection,
 * {@link #reset()} between requests. See {@link HeadParser} for the header rules and the
 * split-anywhere guarantee.
 *
 * <p>Answers, as the status of the {@link HttpParseException} it throws: request line longer than
 * {@link Limits#maxStartLine()} → 414; header section or field count over the limits → 431;
 * syntax errors, a missing or repeated Host in HTTP/1.1, conflicting Content-Length,
 * Transfer-Encoding together with Content-Length, Transfer-Encoding in HTTP/1.0 or chunked not
 * last → 400; a declared body over {@link Limits#maxBodyBytes()} → 413; a transfer coding other
 * than chunked → 501; an HTTP major version other than 1 → 505; an Expect other than
 * 100-continue → 417.
 *
 * <p>Not done: percent-decoding of the target (the raw bytes are kept), trailer fields of a chunked
 * body are checked for syntax and dropped.
 */
public final class RequestParser extends HeadParser {
    private static final int R_START = -1;
    private static final int R_METHOD = -2;
    private static final int R_TARGET_START = -3;
    private static final int R_TARGET = -4;
    private static final int R_VERSION = -5;
    private static final int R_LF = -6;

    /** How the body of a request is delimited. */
    public enum Framing { NONE, LENGTH, CHUNKED }

    private static final byte[] HOST = Ascii.lowerBytes("host");
    private static final byte[] CONTENT_LENGTH = Ascii.lowerBytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.lowerBytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.lowerBytes("connection");
    private static final byte[] EXPECT = Ascii.lowerBytes("expect");
    private static final byte[] CHUNKED = Ascii.lowerBytes("chunked");
    private static final byte[] CONTINUE = Ascii.lowerBytes("100-continue");

    private int lineBytes;
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private int versionStart;
    private int minor;
    private int pathEnd;
    private int pathStart;
    private Framing framing;
    private long contentLength;
    private boolean keepAlive;
    private boolean expectContinue;

    public RequestParser(Limits limits) {
        super(limits, 431);
    }

    @Override
    public void reset() {
        super.reset();
        lineBytes = 0;
        framing = Framing.NONE;
        contentLength = 0;
        keepAlive = false;
        expectContinue = false;
    }

    @Override
    protected int initialState() {
        return R_START;
    }

    @Override
    protected int parseStartLine(byte[] in, int pos, int lim) throws HttpParseException {
        int max = limits.maxStartLine();
        if (state == R_START && lineBytes == 0) {
            int end = wholeLine(in, pos, lim, max);
            if (end >= 0) {
                return end;
            }
        }
        while (pos < lim) {
            byte b = in[pos++];
            if (++lineBytes > max) {
                throw new HttpParseException(414, "request line longer than " + max + " bytes");
            }
            switch (state) {
                case R_START -> {
                    if (Ascii.isTchar(b)) {
                        keep(b);
                        state = R_METHOD;
                    } else if (b != Ascii.CR && b != Ascii.LF) { // empty lines before a request are ignored
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " at start of request");
                    }
                }
                case R_METHOD -> {
                    if (Ascii.isTchar(b)) {
                        keep(b);
                        pos = keepLineRun(in, pos, lim, max, Ascii.TCHAR);
                    } else if (b == Ascii.SP) {
                        methodEnd = storeLength;
                        state = R_TARGET_START;
                    } else {
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in method");
                    }
                }
                case R_TARGET_START, R_TARGET -> {
                    if (b == Ascii.SP && state == R_TARGET) {
                        targetEnd = storeLength;
                        versionStart = storeLength;
                        state = R_VERSION;
                    } else if (Ascii.VISIBLE[b & 0xff]) { // visible ASCII, as the run below
                        if (state == R_TARGET_START) {
                            targetStart = storeLength;
                            state = R_TARGET;
                        }
                        keep(b);
                        pos = keepLineRun(in, pos, lim, max, Ascii.VISIBLE);
                    } else {
                        throw new HttpParseException(400, "invalid byte 0x" + hex(b) + " in request target");
                    }
                }
                case R_VERSION -> {
                    if (b == Ascii.CR) {
                        state = R_LF;
                    } else if (b == Ascii.LF) {
                        endLine();
                        return pos;
                    } else if (storeLength - versionStart < 8) {
                        keep(b);
                        // up to the version's 8 bytes (checked whole by endLine)
                        pos = keepLineRun(in, pos, Math.min(lim, pos + 8 - (storeLength - versionStart)), max,
                                Ascii.VISIBLE);
                    } else {
                        throw new HttpParseException(400, "malformed HTTP version");
                    }
                }
                case R_LF -> {
                    if (b != Ascii.LF) {
                        throw new HttpParseException(400, "CR not followed by LF in request line");
                    }
                    endLine();
                    return pos;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        return pos;
    }

    /**
     * Takes a whole request line in one step: the common case, {@code method SP target SP
     * HTTP/1.x} ending in CRLF or LF, arrived whole and no longer than the limit. Returns the index
     * after the line, or -1 when the line is not whole in {@code in[pos, lim)} within the limit or
     * is anything else (another version, a stray byte, an empty method or target): nothing is
     * changed then, and the byte-wise machine takes the line from its first byte, giving any
     * error. What it records is what the machine records for the same line.
     */
    private int wholeLine(byte[] in, int pos, int lim, int max) {
        int stop = bound(pos, lim, max);
        int p = span(in, pos, stop, Ascii.TCHAR);
        if (p == pos || p >= stop || in[p] != Ascii.SP) {
            return -1;
        }
        int method = p - pos;
        int target = p + 1;
        p = span(in, target, stop, Ascii.VISIBLE);
        if (p == target || p >= stop || in[p] != Ascii.SP) {
            return -1;
        }
        int targetLength = p - target;
        int v = p + 1; // "HTTP/1.x" then CRLF or LF
        if (stop - v < 9 || in[v] != 'H' || in[v + 1] != 'T' || in[v + 2] != 'T' || in[v + 3] != 'P'
                || in[v + 4] != '/' || in[v + 5] != '1' || in[v + 6] != '.' || !digit(in[v + 7])) {
            return -1;
        }
        int end = lineEnd(in, v + 8, stop);
        if (end < 0) {
            return -1;
        }
        append(in, pos, method);
        methodEnd = storeLength;
        targetStart = storeLength;
        append(in, target, targetLength);
        targetEnd = storeLength;
        versionStart = storeLength;
        minor = in[v + 7] - '0';
        lineBytes = end - pos;
        state = startHeaders();
        return end;
    }

    /**
     * Keeps the rest of a method, target or version in one loop ({@link #keepRun}), short of the
     * byte that would pass the start-line limit (it goes through the byte-wise check); returns
     * where the run ended.
     */
    private int keepLineRun(byte[] in, int pos, int lim, int max, boolean[] allowed) {
        int end = keepRun(in, pos, bound(pos, lim, max - lineBytes), allowed);
        lineBytes += end - pos;
        return end;
    }

    private void endLine() throws HttpParseException {
        byte[] s = store;
        int v = versionStart;
        if (storeLength - v != 8 || s[v] != 'H' || s[v + 1] != 'T' || s[v + 2] != 'T' || s[v + 3] != 'P'
                || s[v + 4] != '/' || !digit(s[v + 5]) || s[v + 6] != '.' || !digit(s[v + 7])) {
            throw new HttpParseException(400, "malformed HTTP version");
        }
        if (s[v + 5] != '1') {
            throw new HttpParseException(505, "HTTP version " + Ascii.string(s, v, 8) + " not supported");
        }
        minor = s[v + 7] - '0'; // 1.2+ is answered as 1.1 (same major version, RFC 9110 §6.2)
        storeLength = v; // the version bytes are not needed any more
        state = startHeaders();
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    @Override
    protected void complete() throws HttpParseException {
        splitTarget();
        boolean http11 = minor >= 1;
        int hosts = 0;
        boolean te = false;
        boolean cl = false;
        int options = 0;
        for (int i = 0, n = headerCount(); i < n; i++) {
            int ns = nameStart(i);
            int nl = nameEnd(i) - ns;
            if (Ascii.equalsLower(store, ns, nl, HOST)) {
                hosts++;
            } else if (Ascii.equalsLower(store, ns, nl, CONTENT_LENGTH)) {
                contentLength = declaredLength(i, cl ? contentLength : -1);
                cl = true;
            } else if (Ascii.equalsLower(store, ns, nl, TRANSFER_ENCODING)) {
                te = true;
                transferCodings(i);
            } else if (Ascii.equalsLower(store, ns, nl, CONNECTION)) {
                options |= connectionOptions(i);
            } else if (Ascii.equalsLower(store, ns, nl, EXPECT)) {
                if (!valueEquals(i, CONTINUE)) {
                    throw new HttpParseException(417, "unsupported expectation " + headerValue(i));
                }
                expectContinue = http11;
            }
        }
        keepAlive = keepsAlive(options, http11);
        if (hosts > 1 || (http11 && hosts == 0)) {
            throw new HttpParseException(400, hosts == 0 ? "missing Host header" : "more than one Host header");
        }
        if (te) {
            if (!http11) {
                throw new HttpParseException(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (cl) {
                throw new HttpParseException(400, "both Transfer-Encoding and Content-Length");
            }
            framing = Framing.CHUNKED;
        } else if (cl) {
            if (contentLength > limits.maxBodyBytes()) {
                throw new HttpParseException(413, "body of " + contentLength + " bytes over the limit of "
                        + limits.maxBodyBytes());
            }
            framing = contentLength == 0 ? Framing.NONE : Framing.LENGTH;
        }
        if (framing == Framing.NONE) {
            expectContinue = false; // nothing to wait for
        }
    }

    private void transferCodings(int i) throws HttpParseException {
        int p = valueStart(i);
        int end = valueEnd(i);
        boolean any = false;
        while (p <= end) {
            while (p < end && (store[p] == Ascii.SP || store[p] == Ascii.HT || store[p] == ',')) p++;
            int s = p;
            while (p < end && store[p] != ',' && store[p] != ';' && store[p] != Ascii.SP && store[p] != Ascii.HT) p++;
            if (p > s) {
                if (framing == Framing.CHUNKED) {
                    throw new HttpParseException(400, "chunked is not the last transfer coding");
                }
                if (!Ascii.equalsLower(store, s, p - s, CHUNKED)) {
                    throw new HttpParseException(501, "transfer coding " + Ascii.string(store, s, p - s)
                            + " not implemented");
                }
                framing = Framing.CHUNKED; // provisionally: a later coding after it is an error
                any = true;
            }
            while (p < end && store[p] != ',') p++; // skip parameters
            if (p >= end) break;
        }
        if (!any) {
            throw new HttpParseException(400, "empty Transfer-Encoding");
        }
        framing = Framing.CHUNKED;
    }

    /** Finds the path inside origin-form or absolute-form targets. */
    private void splitTarget() {
        pathStart = targetStart;
        if (store[targetStart] != '/' && store[targetStart] != '*') {
            // absolute-form "scheme://authority/path?query": the path starts after the authority
            int p = targetStart;
            while (p + 2 < targetEnd && !(store[p] == ':' && store[p + 1] == '/' && store[p + 2] == '/')) p++;
            if (p + 2 < targetEnd) {
                p += 3;
                while (p < targetEnd && store[p] != '/' && store[p] != '?') p++;
                pathStart = p;
            }
        }
        int q = pathStart;
        while (q < targetEnd && store[q] != '?' && store[q] != '#') q++;
        pathEnd = q;
    }

    // ---- results (valid once the head is complete, until reset) ----------------------------

    public int methodLength() {
        return methodEnd;
    }

    /** Whether the method is exactly {@code method} (methods are case-sensitive). */
    public boolean methodIs(byte[] method) {
        if (method.length != methodEnd) return false;
        for (int i = 0; i < methodEnd; i++) {
            if (store[i] != method[i]) return false;
        }
        return true;
    }

    public int targetStart() {
        return targetStart;
    }

    public int targetEnd() {
        return targetEnd;
    }

    /** Start of the path in {@link #store()}: the target itself for origin-form. */
    public int pathStart() {
        return pathStart;
    }

    /** End of the path: the '?' of the query, or the end of the target. */
    public int pathEnd() {
        return pathEnd;
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x). */
    public int minorVersion() {
        return Math.min(minor, 1);
    }

    public Framing framing() {
        return framing;
    }

    /** The declared body length when {@link #framing()} is LENGTH. */
    public long contentLength() {
        return contentLength;
    }

    /** Whether the connection may stay open after this request (version and Connection header). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the client waits for "100 Continue" before sending its body. */
    public boolean expectContinue() {
        return expectContinue;
    }
}
