package io.pollen.cli;

import java.nio.charset.StandardCharsets;

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
        // By hand rather than String.split: a two-character separator is a regex compiled per
        // call, and this runs once per response of a 10,000-task demo.
        int eol = head.indexOf("\r\n");
        String statusLine = eol < 0 ? head : head.substring(0, eol);
        int sp1 = statusLine.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : statusLine.indexOf(' ', sp1 + 1);
        if (sp1 < 0 || !statusLine.startsWith("HTTP/1.")) {
            return new RawResponse(-1, false, "not an HTTP/1.x response: " + abbreviate(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(sp1 + 1, sp2 < 0 ? statusLine.length() : sp2));
        } catch (NumberFormatException e) {
            return new RawResponse(-1, false, "bad status line: " + abbreviate(statusLine));
        }
        long bodyLength = len - (head.length() + 4);
        long announced = -1;
        for (int start = eol + 2; eol >= 0; start = eol + 2) {
            eol = head.indexOf("\r\n", start);
            String line = head.substring(start, eol < 0 ? head.length() : eol);
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                try {
                    announced = Long.parseLong(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return new RawResponse(status, false, "bad Content-Length: " + abbreviate(line));
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
