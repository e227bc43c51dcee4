package io.pollen.cli;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Just enough of an HTTP/1.1 response to tell whether one of the demo's requests succeeded: the
 * status code, and whether the body is as long as {@code Content-Length} said. The demo reads
 * raw bytes until the server closes the connection (the chapter's {@code read_to_string}); the
 * full HTTP client is {@code pollen get}'s business.
 *
 * @param status    the status code, or -1 if the status line is not HTTP
 * @param complete  whether the headers ended and the body has the announced length (a body
 *                  without {@code Content-Length} or chunked ends at EOF, so it counts as complete)
 * @param problem   why the response is not a success, or null if it is one
 */
record RawResponse(int status, boolean complete, String problem) {

    /** Whether this is a complete 2xx response. */
    boolean ok() {
        return problem == null;
    }

    /** Examines {@code len} bytes of a response read until end of stream. */
    static RawResponse parse(byte[] bytes, int len) {
        String head = headText(bytes, len);
        if (head == null) {
            return new RawResponse(-1, false, len == 0 ? "empty response" : "response ended inside its headers");
        }
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            return new RawResponse(-1, false, "not an HTTP/1.x response: " + abbreviate(lines[0]));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            return new RawResponse(-1, false, "bad status line: " + abbreviate(lines[0]));
        }
        long bodyLength = len - (head.length() + 4);
        long announced = -1;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                try {
                    announced = Long.parseLong(lines[i].substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return new RawResponse(status, false, "bad Content-Length: " + abbreviate(lines[i]));
                }
            }
        }
        boolean complete = announced < 0 || bodyLength == announced;
        if (!complete) {
            return new RawResponse(status, false, "body of " + bodyLength + " bytes, Content-Length said " + announced);
        }
        if (status < 200 || status > 299) {
            return new RawResponse(status, true, "HTTP status " + status);
        }
        return new RawResponse(status, true, null);
    }

    /** The header block (status line and headers, without the blank line), or null if it did not end. */
    private static String headText(byte[] bytes, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return new String(bytes, 0, i, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
