package io.pollen.http;

import io.pollen.http.codec.Ascii;
import io.pollen.http.codec.DateCache;
import io.pollen.http.codec.OutputBuffer;
import io.pollen.http.codec.Status;

/**
 * Writes a {@link Response} onto a connection's {@link OutputBuffer}: status line, Date (cached),
 * Server, the response's own fields, Content-Length, Connection, then the body. Everything is a
 * copy of pre-encoded bytes or a few digits, so a constant response costs no allocation.
 *
 * <p>One loop's encoder (not thread-safe). It also remembers the complete bytes of the last
 * response it wrote in the common form (HTTP/1.1 keep-alive, not HEAD) once the same instance was
 * written twice in a row: a constant response then costs one copy, like a hand-written server's
 * prebuilt answer. The bytes are rebuilt when the Date line changes (once a second); a handler that
 * builds a new response per request never hits, and so costs no extra copy or allocation.
 */
final class ResponseEncoder {
    private static final byte[] CONTENT_LENGTH = Ascii.bytes("Content-Length: ");
    private static final byte[] CONNECTION_CLOSE = Ascii.bytes("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = Ascii.bytes("Connection: keep-alive\r\n");
    static final byte[] CONTINUE = Ascii.bytes("HTTP/1.1 100 Continue\r\n\r\n");

    /** Responses larger than this are not remembered whole (the copy would cost more memory than time). */
    private static final int MAX_REMEMBERED = 1024;

    private final DateCache date;
    private final byte[] serverLine;
    /** The last response written in the common form, and its bytes with {@link #rememberedDate} (or null). */
    private Response lastResponse;
    private byte[] rememberedDate;
    private byte[] remembered;

    ResponseEncoder(DateCache date, String serverName) {
        this.date = date;
        this.serverLine = serverName == null ? null : Ascii.bytes("Server: " + serverName + "\r\n");
    }

    /**
     * @param head       the request was HEAD: fields as for GET, no body
     * @param keepAlive  whether the connection stays open after this response
     * @param http10     the request was HTTP/1.0 (a kept-alive connection is then announced)
     * @param nanoNow    {@link System#nanoTime()} read by the caller, for the Date line
     */
    void encode(OutputBuffer out, Response r, boolean head, boolean keepAlive, boolean http10, long nanoNow) {
        byte[] dateLine = date.line(nanoNow);
        if (head || !keepAlive || http10) {
            write(out, r, head, keepAlive, http10, dateLine);
            return;
        }
        if (r == lastResponse && dateLine == rememberedDate) {
            out.put(remembered);
            return;
        }
        int start = out.pending();
        write(out, r, false, true, false, dateLine);
        boolean again = r == lastResponse; // the same instance twice in a row: worth remembering
        lastResponse = r;
        rememberedDate = null;
        remembered = null;
        if (again && out.pending() - start <= MAX_REMEMBERED) {
            remembered = out.copyFrom(start);
            rememberedDate = dateLine;
        }
    }

    private void write(OutputBuffer out, Response r, boolean head, boolean keepAlive, boolean http10, byte[] dateLine) {
        int status = r.status();
        String reason = r.customReason();
        if (reason == null) {
            out.put(Status.line(status));
        } else {
            out.putAscii("HTTP/1.1 ").putDecimal(status).put((byte) ' ').putAscii(reason).crlf();
        }
        if (!r.hasDate()) {
            out.put(dateLine);
        }
        if (!r.hasServer() && serverLine != null) {
            out.put(serverLine);
        }
        out.put(r.encodedHeaders());
        boolean bodyAllowed = status >= 200 && status != 204 && status != 304;
        if (bodyAllowed) {
            out.put(CONTENT_LENGTH).putDecimal(r.bodyLength()).crlf();
        }
        if (!keepAlive) {
            out.put(CONNECTION_CLOSE);
        } else if (http10) {
            out.put(CONNECTION_KEEP_ALIVE);
        }
        out.crlf();
        if (bodyAllowed && !head) {
            out.put(r.bodyArray(), r.bodyOffset(), r.bodyLength());
        }
    }

    /** A short text/plain error response, for a status the server chooses itself. */
    static Response error(int status, String message) {
        return Response.text(status, Status.reason(status) + (message == null ? "" : ": " + message) + "\n");
    }
}
