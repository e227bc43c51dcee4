package io.pollen.http;

import io.pollen.runtime.LastResort;

import java.io.IOException;

import static io.pollen.http.ConnectionPhase.BODY;
import static io.pollen.http.ConnectionPhase.CLOSED;
import static io.pollen.http.ConnectionPhase.HEAD;
import static io.pollen.http.ConnectionPhase.LINGER;

/**
 * How a {@link ServerConnection} ends, off its request path: deadlines that passed (408 or a plain
 * close), the server's drain, containment of a failure that escaped the state machine (500), the
 * lingering close after the last response, and the close itself. It works on its connection's
 * state (package-private fields, one loop thread), so that the connection class keeps the
 * request path: parse, handle, encode, write.
 */
final class ConnectionEnd {
    private static final System.Logger LOG = System.getLogger("io.pollen.http");
    /** How long a lingering close reads and drops the client's input at most. */
    private static final long LINGER_NANOS = 2_000_000_000L;

    private final ServerConnection c;

    ConnectionEnd(ServerConnection c) {
        this.c = c;
    }

    /**
     * Containment: {@code t} escaped the state machine (parser, handler glue, encoder; an
     * {@link OutOfMemoryError} or {@link StackOverflowError} included). Whatever this connection
     * was doing is abandoned: responses already encoded go out, then a 500 if no response was
     * half-encoded, then the connection closes (lingering so that the client reads it); its
     * descriptor is released, the loop goes on. Never throws.
     */
    void abort(Throwable t) {
        LastResort.warn(LOG, "connection failed; closing it", t);
        if (c.phase == CLOSED) {
            return;
        }
        try {
            if (c.phase != LINGER && !c.partialOutput) {
                c.fatal = true;
                c.now = System.nanoTime();
                c.fail(500, null);
                c.flush();
                if (c.phase != HEAD) {
                    return; // lingering after the answer, or already closed
                }
                if (!c.out.isEmpty()) {
                    return; // the answer waits for the socket; the write deadline bounds it
                }
            }
        } catch (Throwable again) {
            // answering failed too: just close
        }
        close();
    }

    /**
     * The TLS handshake or a record failed (a bad client certificate, garbage, a bad MAC): the
     * engine's alert was sent; nothing more is answered. The close lingers like after a last
     * response, dropping the raw bytes the client still sends (its request, behind a TLS 1.3
     * handshake it thought done), so that the client reads the alert rather than a reset.
     */
    void tlsFailed() {
        c.io.tlsFailed();
        c.out.clear();
        if (c.in != ServerConnection.NO_INPUT) {
            c.in.limit(c.in.position()); // unparsed plaintext: dropped
            c.releaseInputIfDrained();
        }
        startLinger();
    }

    /** After the last response: shuts the output down, then drains the input until the client closes. */
    void startLinger() {
        c.phase = LINGER;
        c.deadline = System.nanoTime() + LINGER_NANOS;
        try {
            c.io.shutdownOutput(); // over TLS: close_notify, then the TCP shutdown once every record left
        } catch (IOException e) {
            close();
            return;
        }
        if (c.inputClosed && !c.io.hasPendingOutput()) {
            close();
        } else {
            drain();
        }
    }

    /** Reads and drops input until the client closes (bounded by the linger deadline and size). */
    void drain() {
        try {
            c.takeInput();
            while (true) {
                c.in.clear();
                int n = c.io.read(c.in);
                c.in.flip().limit(0);
                if (n < 0 && c.io.hasPendingOutput()) {
                    c.inputClosed = true; // closed by flushTls() once the last records left
                    c.releaseInputIfDrained();
                    return;
                }
                if (n < 0) {
                    close();
                    return;
                }
                if (n == 0) {
                    c.releaseInputIfDrained();
                    return;
                }
            }
        } catch (IOException e) {
            close();
        }
    }

    /** Sends queued TLS records; true if reading may go on. Closes on failure or a finished linger. */
    boolean flushTls() {
        try {
            boolean resumeRead = c.io.flushTls();
            if (c.phase == LINGER && c.inputClosed && !c.io.hasPendingOutput()) {
                close();
            }
            return resumeRead;
        } catch (IOException e) {
            close();
            return false;
        }
    }

    /** Called by the sweep when {@link ServerConnection#deadline} has passed. */
    void timedOut() {
        try {
            if (c.phase == HEAD && c.parser.hasStarted() || c.phase == BODY) {
                // header, request or body-rate deadline (slowloris, trickled body): tell the client, then close
                c.out.clear();
                c.now = System.nanoTime();
                c.encode(ResponseEncoder.error(408, null), false, false, false);
                c.closeAfterWrite = true;
                c.phase = HEAD;
                c.flush();
                if (c.phase != CLOSED && c.phase != LINGER) {
                    close();
                }
            } else {
                close();
            }
        } catch (Throwable t) {
            c.partialOutput = true; // a half-written 408: no 500 after it
            abort(t);
        }
    }

    /** The client's input ended (EOF): answers already produced still leave, then the close. */
    void endOfInput() {
        c.inputClosed = true;
        if (c.phase == HEAD && !c.parser.hasStarted() && !c.out.isEmpty()) {
            c.closeAfterWrite = true; // answers produced before the end of the stream still leave, then close
        } else {
            close();
        }
    }

    /**
     * The server drains: an idle connection closes now; one between requests closes once its
     * output has left; one with a request in progress answers it with {@code Connection: close}
     * (see {@link ServerConnection#respond}), then closes. Pipelined requests not yet started are not
     * answered.
     */
    void beginDrain() {
        if (c.phase == HEAD && !c.parser.hasStarted()) {
            // A request may sit in the socket, its event not yet handled: look before calling the
            // connection idle (one read per idle connection, once per drain).
            c.knownDrained = false;
            c.onReadable();
        }
        if (c.phase == HEAD && !c.parser.hasStarted()) {
            c.closeAfterWrite = true;
            if (c.out.isEmpty()) {
                close();
            } else {
                c.flush();
            }
        }
    }

    /** Closes now: cancels a running handler, releases the registration, buffers and fd. Idempotent. */
    void close() {
        if (c.phase == CLOSED) {
            return;
        }
        c.phase = CLOSED;
        c.deadline = 0;
        c.handlers.cancel();
        if (c.registration != null) {
            c.registration.release();   // the stream closes below: no epoll_ctl(DEL) needed
        }
        if (c.in != ServerConnection.NO_INPUT) {
            c.owner.buffers.give(c.in);
            c.in = ServerConnection.NO_INPUT;
        }
        c.out.clear();
        c.io.close();
        c.owner.removed(c);
    }
}
