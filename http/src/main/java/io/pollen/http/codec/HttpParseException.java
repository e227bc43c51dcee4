package io.pollen.http.codec;

import java.io.IOException;

/**
 * A message that cannot be parsed or is refused by a limit, with the status code a server answers
 * it with (400, 413, 414, 431, 501, 505, ...). The client side reports the same failures as an
 * {@link IOException} and ignores the status.
 *
 * <p>Thrown only on the error path, so its cost (a stack trace) is never paid by a good request.
 */
public final class HttpParseException extends IOException {
    private final int status;

    public HttpParseException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The status code a server should answer with before closing the connection. */
    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return "HttpParseException[" + status + "]: " + getMessage();
    }
}
