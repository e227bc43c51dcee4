package io.pollen.http.codec;

/**
 * Reason phrases and pre-encoded status lines ({@code "HTTP/1.1 200 OK\r\n"}) for the codes a
 * server sends; other codes in 100..999 are encoded on demand with the phrase "Unknown".
 */
public final class Status {
    private Status() {
    }

    private static final String[] REASONS = new String[600];
    private static final byte[][] LINES = new byte[600][];

    static {
        String[] table = {
            "100 Continue", "101 Switching Protocols",
            "200 OK", "201 Created", "202 Accepted", "203 Non-Authoritative Information", "204 No Content",
            "205 Reset Content", "206 Partial Content",
            "300 Multiple Choices", "301 Moved Permanently", "302 Found", "303 See Other", "304 Not Modified",
            "307 Temporary Redirect", "308 Permanent Redirect",
            "400 Bad Request", "401 Unauthorized", "403 Forbidden", "404 Not Found", "405 Method Not Allowed",
            "406 Not Acceptable", "408 Request Timeout", "409 Conflict", "410 Gone", "411 Length Required",
            "412 Precondition Failed", "413 Content Too Large", "414 URI Too Long", "415 Unsupported Media Type",
            "417 Expectation Failed", "422 Unprocessable Content", "426 Upgrade Required", "429 Too Many Requests",
            "431 Request Header Fields Too Large",
            "500 Internal Server Error", "501 Not Implemented", "502 Bad Gateway", "503 Service Unavailable",
            "504 Gateway Timeout", "505 HTTP Version Not Supported",
        };
        for (String s : table) {
            int code = Integer.parseInt(s.substring(0, 3));
            REASONS[code] = s.substring(4);
            LINES[code] = Ascii.bytes("HTTP/1.1 " + s + "\r\n");
        }
    }

    /** The standard reason phrase of {@code code}, or "Unknown". */
    public static String reason(int code) {
        String r = code >= 0 && code < REASONS.length ? REASONS[code] : null;
        return r == null ? "Unknown" : r;
    }

    /** The HTTP/1.1 status line of {@code code} with its standard phrase, CRLF included. */
    public static byte[] line(int code) {
        byte[] l = code >= 0 && code < LINES.length ? LINES[code] : null;
        return l != null ? l : Ascii.bytes("HTTP/1.1 " + code + " " + reason(code) + "\r\n");
    }
}
