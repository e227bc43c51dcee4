package io.pollen.http;

import io.pollen.http.codec.Ascii;
import io.pollen.http.codec.Status;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An immutable response a {@link Handler} returns: status, header fields and a body held in
 * memory. Build it once and return the same instance for every request when it does not change
 * (the server then allocates nothing to send it):
 *
 * {@snippet class=io.pollen.http.snippets.HttpSnippetsTest region=response}
 *
 * <p>The server adds {@code Date}, {@code Server}, {@code Content-Length} and, when it closes the
 * connection, {@code Connection: close}. A {@code Date} or {@code Server} field given here replaces
 * the server's; a {@code Content-Length} given here is ignored (the body's length is sent);
 * {@code Connection: close} given here makes the server close after sending. Not supported:
 * streamed bodies and {@code Transfer-Encoding} (rejected), trailers.
 */
public final class Response {
    private static final byte[] EMPTY = new byte[0];

    private final int status;
    private final String reason;
    private final HttpHeaders headers;
    private final byte[] body;
    /** Where the body starts in {@link #body}. */
    private final int bodyOffset;
    /** How many bytes of {@link #body} are the body. */
    private final int bodyLength;
    /** The user's header fields as wire bytes, minus those the server writes itself. */
    private final byte[] encodedHeaders;
    private final boolean hasDate;
    private final boolean hasServer;
    private final boolean close;

    private Response(int status, String reason, HttpHeaders headers, byte[] body) {
        this(status, reason, headers, body, 0, body.length);
    }

    private Response(int status, String reason, HttpHeaders headers, byte[] body, int bodyOffset, int bodyLength) {
        Objects.checkFromIndexSize(bodyOffset, bodyLength, body.length);
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status + " not in 100..999");
        }
        if (headers.contains("Transfer-Encoding")) {
            throw new IllegalArgumentException("Transfer-Encoding is chosen by the server");
        }
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.bodyOffset = bodyOffset;
        this.bodyLength = bodyLength;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean date = false;
        boolean server = false;
        boolean close = false;
        for (int i = 0; i < headers.size(); i++) {
            String n = headers.name(i);
            if (n.equalsIgnoreCase("Content-Length")) {
                continue;
            }
            date |= n.equalsIgnoreCase("Date");
            server |= n.equalsIgnoreCase("Server");
            if (n.equalsIgnoreCase("Connection")) {
                close |= headers.value(i).toLowerCase(java.util.Locale.ROOT).contains("close");
                continue; // the server writes its own Connection field
            }
            out.writeBytes(Ascii.bytes(n + ": " + headers.value(i) + "\r\n"));
        }
        this.encodedHeaders = out.toByteArray();
        this.hasDate = date;
        this.hasServer = server;
        this.close = close;
    }

    /** A response with no body (e.g. {@code Response.of(204)}). */
    public static Response of(int status) {
        return new Response(status, null, HttpHeaders.EMPTY, EMPTY);
    }

    /** A response with a body of the given content type. The array is not copied: do not change it. */
    public static Response of(int status, String contentType, byte[] body) {
        Objects.requireNonNull(body, "body");
        HttpHeaders h = contentType == null ? HttpHeaders.EMPTY : HttpHeaders.of("Content-Type", contentType);
        return new Response(status, null, h, body);
    }

    /**
     * A response whose body is {@code length} bytes of {@code body} from {@code offset}. The array
     * is not copied: it is read when the response is written, and must not change before then.
     */
    public static Response of(int status, String contentType, byte[] body, int offset, int length) {
        Objects.requireNonNull(body, "body");
        HttpHeaders h = contentType == null ? HttpHeaders.EMPTY : HttpHeaders.of("Content-Type", contentType);
        return new Response(status, null, h, body, offset, length);
    }

    /** 200 with a {@code text/plain; charset=utf-8} body. */
    public static Response text(String body) {
        return text(200, body);
    }

    /** A {@code text/plain; charset=utf-8} body with the given status. */
    public static Response text(int status, String body) {
        return of(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    /** This response with one more header field. */
    public Response header(String name, String value) {
        return new Response(status, reason, headers.with(name, value), body, bodyOffset, bodyLength);
    }

    /** This response with a non-standard reason phrase (no CR/LF). */
    public Response reason(String phrase) {
        HttpHeaders.checkValue(phrase);
        return new Response(status, phrase, headers, body, bodyOffset, bodyLength);
    }

    public int status() {
        return status;
    }

    /** The reason phrase sent: the one given, or the standard phrase of the status. */
    public String reason() {
        return reason != null ? reason : Status.reason(status);
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** A copy of the body. */
    public byte[] body() {
        return java.util.Arrays.copyOfRange(body, bodyOffset, bodyOffset + bodyLength);
    }

    public int bodyLength() {
        return bodyLength;
    }

    // ---- for the server's encoder -------------------------------------------------------

    byte[] bodyArray() {
        return body;
    }

    int bodyOffset() {
        return bodyOffset;
    }

    byte[] encodedHeaders() {
        return encodedHeaders;
    }

    String customReason() {
        return reason;
    }

    boolean hasDate() {
        return hasDate;
    }

    boolean hasServer() {
        return hasServer;
    }

    boolean requestsClose() {
        return close;
    }

    @Override
    public String toString() {
        return "Response[" + status + " " + reason() + ", " + headers + ", " + body.length + " bytes]";
    }
}
