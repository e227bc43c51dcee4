package io.pollen.http;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A response received by {@link HttpClient}: status, reason phrase, header fields (case-insensitive
 * lookup) and the whole body in memory. Immutable.
 *
 * <p>The body is decoded from the transfer coding (chunked) but not from any content coding:
 * a gzip body stays gzip.
 */
public final class HttpResponse {
    private final String version;
    private final int status;
    private final String reason;
    private final HttpHeaders headers;
    private final byte[] body;

    HttpResponse(String version, int status, String reason, HttpHeaders headers, byte[] body) {
        this.version = version;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
    }

    /** "HTTP/1.1" or "HTTP/1.0". */
    public String version() {
        return version;
    }

    public int status() {
        return status;
    }

    /** The reason phrase as sent (may be empty). */
    public String reason() {
        return reason;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The first value of a header field (any case), or null. */
    public String header(String name) {
        return headers.first(name);
    }

    /** A copy of the body bytes. */
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** The body as text, in the charset of its Content-Type (UTF-8 if none or unknown). */
    public String bodyString() {
        return new String(body, charset());
    }

    private Charset charset() {
        String ct = headers.first("Content-Type");
        if (ct != null) {
            for (String part : ct.split(";")) {
                String p = part.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    String name = p.substring(8).replace("\"", "").trim();
                    try {
                        return Charset.forName(name);
                    } catch (RuntimeException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    @Override
    public String toString() {
        return version + " " + status + " " + reason + " " + headers + " (" + body.length + " bytes)";
    }
}
