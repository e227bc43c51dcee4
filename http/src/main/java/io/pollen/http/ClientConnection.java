package io.pollen.http;

import io.pollen.http.codec.BodyBuffer;
import io.pollen.http.codec.ChunkedDecoder;
import io.pollen.http.codec.HttpParseException;
import io.pollen.http.codec.Limits;
import io.pollen.http.codec.ResponseParser;
import io.pollen.runtime.AsyncTcpStream;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection and the response currently read from it. Runs on the client's loop only.
 * A connection carries one request at a time (no client-side pipelining); between requests it
 * waits in {@link HttpClient}'s pool.
 *
 * <p>Time limits: each read is bounded by the read timeout and by what is left of the request's
 * {@link RequestDeadline}, whichever is shorter, so neither an endless run of 1xx responses nor a
 * body trickled a byte at a time outlives the deadline; at most {@link #MAX_INTERIM} interim
 * responses are accepted. Any failure (a timeout, a malformed or ambiguous response) closes the
 * connection: it is never reused after an error.
 *
 * <p>Reads are trampolined: when a read completes at once (data was already there), the next
 * step runs in the same loop iteration of {@link #readLoop()} instead of a nested callback, so a
 * large body cannot grow the stack.
 */
final class ClientConnection {
    final String key;
    final AsyncTcpStream stream;
    /**
     * Starts small: a read is pending on every waiting connection, so at 10,000 of them a 16 KiB
     * buffer each is 160 MiB of heap. A read that fills it doubles it, up to {@link #MAX_BUFFER}.
     */
    private ByteBuffer buf = ByteBuffer.allocate(MIN_BUFFER).flip();
    private static final int MIN_BUFFER = 2 * 1024;
    private static final int MAX_BUFFER = 64 * 1024;
    /**
     * Interim (1xx) responses accepted before the final one. Real servers send one or two (100
     * Continue, 103 Early Hints); more means a broken or hostile server.
     */
    static final int MAX_INTERIM = 16;
    private final ResponseParser parser;
    private final ChunkedDecoder chunked;
    private final BodyBuffer body;
    private final Duration readTimeout;

    long idleSince;
    /** Requests completed on this connection; a reused connection may fail stale. */
    int uses;

    private CompletableFuture<HttpResponse> result;
    private boolean headDone;
    private long remaining;
    private boolean anyResponseBytes;
    /** Response bytes received in this exchange, for the error messages. */
    private long received;
    private int interim;
    private RequestDeadline deadline = RequestDeadline.NONE;
    private boolean head;
    private Runnable onReusable;

    ClientConnection(String key, AsyncTcpStream stream, Limits limits, Duration readTimeout) {
        this.key = key;
        this.stream = stream;
        this.parser = new ResponseParser(limits);
        this.chunked = new ChunkedDecoder(limits);
        this.body = new BodyBuffer(limits.maxBodyBytes());
        this.readTimeout = readTimeout;
    }

    /**
     * Writes the request and reads the response into {@code result}. When the response is complete
     * and the connection can carry another request, {@code onReusable} runs (after {@code result}
     * is completed); otherwise the connection is closed.
     */
    void exchange(ByteBuffer request, boolean head, RequestDeadline deadline, CompletableFuture<HttpResponse> result,
                  Runnable onReusable) {
        this.result = result;
        this.deadline = deadline;
        this.onReusable = onReusable;
        this.head = head;
        parser.reset(head);
        body.clear();
        headDone = false;
        anyResponseBytes = false;
        received = 0;
        interim = 0;
        buf.clear().flip();
        if (deadline.expired()) {
            fail(deadline.expiredAfter(0));
            return;
        }
        CompletableFuture<Void> write = stream.writeAll(request);
        if (!write.isDone() && deadline.bounded()) {
            // A server that does not read the request must not hold it past the deadline either.
            write = stream.loop().timeout(write, deadline.cap(null));
        }
        write.whenComplete((v, e) -> {
            if (e != null) {
                fail(unwrap(e) instanceof java.util.concurrent.TimeoutException ? deadline.expiredAfter(0) : e);
            } else {
                readLoop();
            }
        });
    }

    /** Whether a failure happened before the server sent anything (a stale pooled connection). */
    boolean nothingReceived() {
        return !anyResponseBytes;
    }

    private void readLoop() {
        while (!result.isDone()) {
            buf.compact();
            if (!buf.hasRemaining() && buf.capacity() < MAX_BUFFER) {
                buf = ByteBuffer.allocate(buf.capacity() * 2).put(buf.flip());
            }
            CompletableFuture<Integer> read = stream.read(buf);
            Duration limit = deadline.cap(readTimeout);
            CompletableFuture<Integer> timed = limit == null || read.isDone() ? read : stream.loop().timeout(read, limit);
            if (!timed.isDone()) {
                timed.whenComplete((n, e) -> {
                    if (step(n, e)) {
                        readLoop();
                    }
                });
                return;
            }
            Integer n = null;
            Throwable e = null;
            try {
                n = timed.join();
            } catch (Throwable t) {
                e = unwrap(t);
            }
            if (!step(n, e)) {
                return;
            }
        }
    }

    /** Handles one read's outcome; true to read again. */
    private boolean step(Integer n, Throwable e) {
        boolean filled = n != null && n > 0 && !buf.hasRemaining();
        buf.flip();
        if (filled && buf.capacity() < MAX_BUFFER) {
            // A full read: more is likely waiting, so read bigger next time (keeps what is unread).
            buf = ByteBuffer.allocate(buf.capacity() * 2).put(buf).flip();
        }
        if (e != null) {
            e = unwrap(e);
            if (e instanceof java.util.concurrent.TimeoutException) {
                // Say which limit ended it and how far the response had come.
                e = deadline.expired() ? deadline.expiredAfter(received) : RequestDeadline.silentFor(readTimeout, received);
            }
            fail(e);
            return false;
        }
        try {
            if (n < 0) {
                return endOfStream();
            }
            anyResponseBytes = true;
            received += n;
            boolean more = consume();
            if (more && deadline.expired()) {
                // Bytes keep coming, so no read times out: the deadline is checked here too.
                throw deadline.expiredAfter(received);
            }
            return more;
        } catch (IOException | java.util.concurrent.TimeoutException ex) {
            fail(ex);
            return false;
        }
    }

    private static Throwable unwrap(Throwable t) {
        return (t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null ? t.getCause() : t;
    }

    /** Parses buffered bytes; true if more are needed. */
    private boolean consume() throws IOException {
        while (true) {
            if (!headDone) {
                if (!parser.parse(buf)) {
                    return true;
                }
                if (parser.status() >= 100 && parser.status() < 200 && parser.status() != 101) {
                    if (++interim > MAX_INTERIM) {
                        throw new HttpParseException(502, "too many 1xx responses: more than " + MAX_INTERIM
                                + " interim responses and no final one");
                    }
                    parser.reset(head); // an interim response (100 Continue): the real one follows
                    continue;
                }
                if (parser.status() == 101) {
                    throw new HttpParseException(400, "protocol upgrades are not supported");
                }
                headDone = true;
                remaining = parser.contentLength();
                chunked.reset();
            }
            switch (parser.framing()) {
                case NONE -> {
                    complete(true);
                    return false;
                }
                case LENGTH -> {
                    int k = (int) Math.min(remaining, buf.remaining());
                    body.append(buf, k);
                    remaining -= k;
                    if (remaining == 0) {
                        complete(true);
                        return false;
                    }
                    return true;
                }
                case CHUNKED -> {
                    if (chunked.decode(buf, body)) {
                        complete(true);
                        return false;
                    }
                    return true;
                }
                case UNTIL_CLOSE -> {
                    body.append(buf, buf.remaining());
                    return true;
                }
            }
        }
    }

    private boolean endOfStream() throws IOException {
        if (headDone && parser.framing() == ResponseParser.Framing.UNTIL_CLOSE) {
            complete(false);
            return false;
        }
        throw new EOFException(anyResponseBytes
                ? "connection closed before the response was complete"
                : "connection closed before any response");
    }

    private void complete(boolean framed) {
        String[] pairs = new String[parser.headerCount() * 2];
        for (int i = 0; i < parser.headerCount(); i++) {
            pairs[2 * i] = parser.headerName(i);
            pairs[2 * i + 1] = parser.headerValue(i);
        }
        HttpResponse r = new HttpResponse(parser.minorVersion() == 1 ? "HTTP/1.1" : "HTTP/1.0", parser.status(),
                parser.reason(), HttpHeaders.ofTrusted(pairs), body.toByteArray());
        // Extra bytes after a complete response mean the framing is off: do not reuse.
        boolean reusable = framed && parser.keepAlive() && !buf.hasRemaining();
        uses++;
        body.clear();
        result.complete(r);
        if (reusable) {
            onReusable.run();
        } else {
            stream.close();
        }
    }

    private void fail(Throwable e) {
        stream.close();
        result.completeExceptionally(e);
    }

    /** A quick, non-blocking check on an idle connection: false if the server closed it or sent junk. */
    boolean stillUsable() {
        if (!stream.isOpen()) {
            return false;
        }
        try {
            ByteBuffer probe = ByteBuffer.allocate(1);
            return stream.socket().peek(probe) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    void close() {
        stream.close();
    }
}
