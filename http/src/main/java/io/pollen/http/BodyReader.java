package io.pollen.http;

import io.pollen.http.codec.BodyBuffer;
import io.pollen.http.codec.ChunkedDecoder;
import io.pollen.http.codec.HttpParseException;
import io.pollen.http.codec.RequestParser;

import java.nio.ByteBuffer;

/**
 * Reads one request's body (Content-Length or chunked) from a connection's input buffer into its
 * {@link BodyBuffer}, and says when the body is due: the deadline part of a server connection that
 * belongs to bodies. One per connection, reused for every request.
 */
final class BodyReader {
    private final HttpServer.Config config;
    private final ChunkedDecoder chunked;
    /** The body read so far; the request's view reads it. */
    final BodyBuffer body;
    /** Body bytes still to read (Content-Length framing). */
    private long remaining;
    /** When the body began ({@link System#nanoTime()}). */
    private long start;
    /** Input bytes consumed for this body since it began (chunk framing included). */
    private long read;

    BodyReader(HttpServer.Config config) {
        this.config = config;
        this.chunked = new ChunkedDecoder(config.limits());
        this.body = new BodyBuffer(config.limits().maxBodyBytes());
    }

    /** Gets ready for the body of the request {@code parser} just parsed the head of. */
    void begin(RequestParser parser, long now) {
        body.clear();
        switch (parser.framing()) {
            case NONE -> remaining = 0;
            case LENGTH -> remaining = parser.contentLength();
            case CHUNKED -> chunked.reset();
        }
        start = now;
        read = 0;
    }

    /** Drops the answered request's body. */
    void clear() {
        body.clear();
    }

    /** Input bytes consumed for this body so far: a change means progress. */
    long bytesRead() {
        return read;
    }

    /** Consumes body bytes from {@code in}; returns true once the whole body is in {@link #body}. */
    boolean read(RequestParser parser, ByteBuffer in) throws HttpParseException {
        if (parser.framing() == RequestParser.Framing.CHUNKED) {
            int before = in.position();
            boolean done = chunked.decode(in, body);
            read += in.position() - before;
            return done;
        }
        if (remaining > 0 && in.hasRemaining()) {
            int n = (int) Math.min(remaining, in.remaining());
            body.append(in, n);
            remaining -= n;
            read += n;
        }
        return remaining == 0;
    }

    /**
     * A body in progress must keep moving (idle timeout, reset by progress), keep its average rate
     * (minimum body rate, after its grace) and end within the request timeout; the earliest counts.
     */
    long deadline(long now, long requestStart) {
        long d = Deadlines.earliest(now + config.idleTimeoutNanos(), requestStart + config.requestTimeoutNanos());
        return Deadlines.earliest(d, Deadlines.bodyRateDue(start, read, config.minBodyRate(),
                config.bodyRateGraceNanos()));
    }
}
