package io.pollen.http;

import io.pollen.http.codec.HttpParseException;
import io.pollen.http.codec.OutputBuffer;
import io.pollen.http.codec.RequestParser;
import io.pollen.net.StreamSocket;
import io.pollen.poll.Interest;
import io.pollen.runtime.Readiness;
import io.pollen.runtime.ReadyHandler;
import io.pollen.runtime.Registration;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.pollen.http.ConnectionPhase.BODY;
import static io.pollen.http.ConnectionPhase.CLOSED;
import static io.pollen.http.ConnectionPhase.HANDLING;
import static io.pollen.http.ConnectionPhase.HEAD;
import static io.pollen.http.ConnectionPhase.LINGER;

/**
 * One server connection: a state machine driven by readiness on its loop's thread.
 *
 * <p>Phases: {@code HEAD} (parsing a request head) → {@code BODY} (reading its body) →
 * {@code HANDLING} (an async handler is running; pipelined bytes wait in the buffer and the socket)
 * → back to {@code HEAD}; {@code LINGER} after the last response: output shut down, input drained
 * for a bounded time so that the client reads the response instead of a reset; then closed.
 *
 * <p>Input is parsed straight from one reused direct buffer; all responses produced from one read
 * (pipelining) are encoded into one output buffer and leave in one write. Deadlines: the header
 * timeout runs from the first byte of a request (or the accept) to the end of its head; the idle
 * timeout covers keep-alive gaps, body reads (reset by progress) and blocked writes. The loop's
 * {@link ServerLoop} sweeps them.
 *
 * <p><b>Hang-ups while a handler runs.</b> Read interest stays on while an async handler runs: a
 * readable event then reads ahead into the input buffer (pipelined requests wait there unparsed),
 * and the end of the stream, a reset, or an epoll read-closed/error flag means the client is gone:
 * the connection closes at once (fd released) and the handler's stage is cancelled. A client that
 * half-closes ({@code shutdown(SHUT_WR)}) after sending is treated the same way (as nginx and
 * Netty's default do): at the socket level it cannot be told from one that closed. A request whose
 * response was already produced (a sync handler) is still answered before the close. Not watched:
 * a client that pipelined more than the read buffer holds, until its handler ends.
 *
 * <p>Parts kept apart, one concern each, same package: {@link ConnectionPhase} (the phases),
 * {@link ConnectionIo} (plain or TLS bytes), {@link BodyReader} (bodies and their deadline),
 * {@link HandlerDispatch} (routing, running handlers, cancelling them on a hang-up).
 */
final class ServerConnection implements ReadyHandler {

    final ServerLoop owner;
    private final HttpServer.Config config;
    /** The socket's bytes, plain or through TLS. */
    final ConnectionIo io;
    /**
     * Input, in read mode. {@link #NO_INPUT} while nothing is buffered: a real buffer is taken
     * from the loop's pool when the socket turns readable and given back once drained, so an
     * idle keep-alive connection holds no buffer.
     */
    ByteBuffer in = NO_INPUT;
    static final ByteBuffer NO_INPUT = ByteBuffer.allocateDirect(0);
    final OutputBuffer out;
    final RequestParser parser;
    private final BodyReader body;
    private final HttpRequest request;
    final HandlerDispatch handlers;
    /** Timeouts, drain, containment and closing. */
    final ConnectionEnd end = new ConnectionEnd(this);
    Registration registration;

    int index = -1; // in the owner's connection list
    long deadline;  // System.nanoTime() value; 0 = none
    /** When the current request's first byte was read. */
    private long requestStart;
    ConnectionPhase phase = HEAD;
    boolean closeAfterWrite;
    boolean inputClosed;
    private boolean readPaused;
    /** Inside {@link #onReadable()}: a flush that may resume reading asks it to loop again. */
    private boolean inReadable;
    private boolean resumeWanted;
    /** An Error was seen: the response in progress closes the connection. */
    boolean fatal;
    /** An encode is under way (true only while it runs, or after it threw). */
    boolean partialOutput;
    /**
     * {@link System#nanoTime()} when the input being processed was read (or a handler resumed):
     * deadlines and the Date line use it, so a read of 16 pipelined requests costs one clock read
     * instead of four per request.
     */
    long now;
    /**
     * Whether a short read proves the socket drained, which saves the read that would only say
     * "would block" (one syscall in three per pipelined batch). {@code TcpStream} promises it on
     * every backend: bytes that arrive later raise a new event. Never once the peer's FIN or an
     * error was reported: that edge is spent, and the end of stream must still be read.
     */
    private boolean shortReadDrains = true;
    /**
     * Whether the socket is known to hold no unread bytes: the last read was short (see
     * {@link #shortReadDrains}) or said "would block", and no readable event came since. Then
     * continuing after an async handler's answer needs no read: one that would only say "would
     * block", on every connection of a slow endpoint.
     */
    boolean knownDrained;

    ServerConnection(ServerLoop owner, StreamSocket stream) {
        this.owner = owner;
        this.config = owner.config();
        this.out = new OutputBuffer(owner.buffers, config.writeBufferSize());
        this.parser = new RequestParser(config.limits());
        this.body = new BodyReader(config);
        this.io = new ConnectionIo(stream, config, owner.loop(),
                () -> ready(Readiness.READABLE | Readiness.WRITABLE), owner.buffers); // tasks done: resume
        this.request = new HttpRequest(parser, body.body, io::peer, io::tlsSession);
        this.handlers = new HandlerDispatch(this, owner);
        this.now = System.nanoTime();
        this.deadline = now + config.headerTimeoutNanos(); // over TLS, it bounds the handshake too
        if (io.isTls()) {
            shortReadDrains = false; // whole records may wait in the engine: read until 0
        }
    }

    void start(Registration registration) {
        // No read yet: registering reports bytes that arrived with the connection as a readable
        // event (epoll_ctl(ADD) checks the socket; a selector's first select does too), and a
        // freshly accepted socket is usually still empty, so a read now would mostly say EAGAIN.
        this.registration = registration;
    }

    static Interest interest() {
        return Interest.READABLE.add(Interest.WRITABLE);
    }

    @Override
    public void ready(int flags) {
        try {
            onReady(flags);
        } catch (Throwable t) {
            end.abort(t);
        }
    }

    private void onReady(int flags) {
        if (phase == CLOSED) {
            return;
        }
        if ((flags & (Readiness.READ_CLOSED | Readiness.ERROR)) != 0) {
            shortReadDrains = false;
            if (phase == HANDLING) {
                end.close(); // the client hung up while its handler runs: see the class comment
                return;
            }
        }
        if ((flags & Readiness.ANY_WRITE) != 0 && io.hasPendingOutput() && end.flushTls()) {
            flags |= Readiness.READABLE; // a handshake step waited for its flight to leave
        }
        if (phase == CLOSED) {
            return;
        }
        if ((flags & Readiness.ANY_WRITE) != 0 && !out.isEmpty()) {
            flush();
        }
        if ((flags & Readiness.ANY_READ) != 0) {
            knownDrained = false;
            onReadable();
        }
    }

    // ---- input ----------------------------------------------------------------------------

    void onReadable() {
        inReadable = true;
        try {
            do {
                resumeWanted = false;
                readAndProcess();
            } while (resumeWanted && phase == HEAD);
        } finally {
            inReadable = false;
        }
    }

    private void readAndProcess() {
        try {
            if (phase == LINGER) {
                end.drain();
                return;
            }
            if (phase == HANDLING) {
                handlers.readAhead();
                return;
            }
            if (in.hasRemaining()) {
                now = System.nanoTime(); // bytes left from an earlier batch are processed first
            }
            boolean drained = knownDrained;
            while (phase != CLOSED && process() && !drained) {
                takeInput();
                in.compact();
                int room = in.remaining();
                int n = io.read(in);
                in.flip();
                if (n == 0) {
                    drained = room > 0; // would block
                    break;
                }
                if (n < 0) {
                    end.endOfInput();
                    break;
                }
                now = System.nanoTime(); // once per read, not per request
                drained = shortReadDrains && n < room;
            }
            knownDrained = drained;
            if (phase == HANDLING && (!drained || !shortReadDrains)) {
                // A handler started and the socket may hold more (or its end was reported and that
                // edge is spent): look now, or a hang-up would go unseen until the handler ends.
                handlers.readAhead();
                if (phase == CLOSED) {
                    return;
                }
            }
        } catch (javax.net.ssl.SSLException e) {
            end.tlsFailed(); // the alert leaves, then a lingering close: the client reads it instead of a reset
            return;
        } catch (IOException e) {
            end.close(); // reset by peer and friends: nothing to answer
            return;
        }
        releaseInputIfDrained();
        flush();
    }

    void takeInput() {
        if (in == NO_INPUT) {
            in = owner.buffers.take(config.readBufferSize()).flip(); // read mode, empty
        }
    }

    /** Gives the input buffer back once every byte in it is consumed (parsers copy what they keep). */
    void releaseInputIfDrained() {
        if (in != NO_INPUT && !in.hasRemaining()) {
            owner.buffers.give(in);
            in = NO_INPUT;
        }
    }

    /**
     * Consumes buffered input: parses requests, reads bodies, runs handlers and encodes their
     * responses. Returns true if more input is wanted now, false to stop reading (handler
     * running, output backed up, connection ending).
     */
    private boolean process() {
        try {
            while (true) {
                switch (phase) {
                    case HEAD -> {
                        if (closeAfterWrite) {
                            return false;
                        }
                        if (out.pending() > config.maxUnsentBytes()) {
                            readPaused = true; // resumed by flush() once below resumeBelowBytes
                            return false;
                        }
                        if (!in.hasRemaining()) {
                            return true;
                        }
                        boolean started = parser.hasStarted();
                        boolean done = parser.parse(in);
                        if (!started && (done || parser.hasStarted())) {
                            requestStart = now;
                            deadline = Deadlines.earliest(now + config.headerTimeoutNanos(),
                                    now + config.requestTimeoutNanos());
                        }
                        if (!done) {
                            return true;
                        }
                        beginBody();
                    }
                    case BODY -> {
                        if (!readBody()) {
                            return true;
                        }
                        phase = HANDLING;
                        deadline = 0;
                        handlers.dispatch(request, parser.store(), parser.pathStart(), parser.pathEnd(), config);
                    }
                    default -> {
                        return false;
                    }
                }
            }
        } catch (HttpParseException e) {
            fail(e.status(), e.getMessage());
            return false;
        }
    }

    private void beginBody() {
        request.reset();
        body.begin(parser, now);
        if (parser.expectContinue()) {
            out.put(ResponseEncoder.CONTINUE);
        }
        deadline = body.deadline(now, requestStart);
        phase = BODY;
    }

    /** Returns true once the whole body is read; progress pushes the body's deadline. */
    private boolean readBody() throws HttpParseException {
        long before = body.bytesRead();
        boolean done = body.read(parser, in);
        if (body.bytesRead() != before) {
            deadline = body.deadline(now, requestStart);
        }
        return done;
    }

    /** Over the server's connection limit: 503 with {@code Connection: close}, then a lingering close. */
    void refuse() {
        now = System.nanoTime();
        fail(503, null);
        flush();
    }

    /** Encodes {@code r} into {@link #out}; {@link #partialOutput} tells an abort that it failed halfway. */
    void encode(Response r, boolean head, boolean keepAlive, boolean http10) {
        partialOutput = true;
        owner.encoder().encode(out, r, head, keepAlive, http10, now);
        partialOutput = false;
    }

    /** Encodes the response of the current request and gets ready for the next one. */
    void respond(Response r) {
        boolean keepAlive = parser.keepAlive() && !r.requestsClose() && !owner.isClosing() && !inputClosed && !fatal;
        encode(r, request.isHead(), keepAlive, parser.minorVersion() == 0);
        parser.reset();
        body.clear();
        phase = HEAD;
        deadline = now + config.idleTimeoutNanos();
        if (!keepAlive) {
            closeAfterWrite = true;
        }
    }

    /** A request the server refuses: answer with the status, then close cleanly. */
    void fail(int status, String message) {
        encode(ResponseEncoder.error(status, message), false, false, false);
        phase = HEAD;
        closeAfterWrite = true;
    }

    // ---- output and closing ----------------------------------------------------------------

    void flush() {
        if (phase == CLOSED) {
            return;
        }
        if (!out.isEmpty()) {
            ByteBuffer b = out.flipForWrite();
            try {
                while (b.hasRemaining() && io.write(b) > 0) {
                    // keep writing until the socket would block
                }
            } catch (IOException e) {
                out.compactAfterWrite();
                end.close();
                return;
            }
            out.compactAfterWrite();
            if (readPaused && phase == HEAD && out.pending() <= config.resumeBelowBytes()) {
                // Input was left unread (in the buffer and the socket) while the output was backed
                // up: parse and read it now, until would-block (no new edge comes for it).
                readPaused = false;
                if (!inReadable) {
                    onReadable();
                    return;
                }
                resumeWanted = true; // onReadable loops instead of recursing
            }
            if (!out.isEmpty()) {
                deadline = System.nanoTime() + config.idleTimeoutNanos(); // a reader that never reads is cut off
                return; // the next WRITABLE event continues
            }
        }
        if (closeAfterWrite && phase != LINGER && phase != HANDLING) {
            end.startLinger();
        }
    }

    /** Closes now (idempotent): see {@link ConnectionEnd#close()}. */
    void close() {
        end.close();
    }
}
