package io.pollen.http;

import io.pollen.http.codec.BodyBuffer;
import io.pollen.http.codec.ChunkedDecoder;
import io.pollen.http.codec.HttpParseException;
import io.pollen.http.codec.OutputBuffer;
import io.pollen.http.codec.RequestParser;
import io.pollen.net.Shutdown;
import io.pollen.net.TcpStream;
import io.pollen.poll.Interest;
import io.pollen.runtime.Readiness;
import io.pollen.runtime.ReadyHandler;
import io.pollen.runtime.Registration;
import io.pollen.tls.TlsChannel;
import io.pollen.tls.TlsContexts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletionStage;

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
 */
final class ServerConnection implements ReadyHandler {
    private static final System.Logger LOG = System.getLogger("io.pollen.http");
    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int HANDLING = 2;
    private static final int LINGER = 3;
    private static final int CLOSED = 4;

    /** Stop parsing new requests while this much output waits for the socket. */
    private static final int HIGH_WATER = 256 * 1024;
    private static final long LINGER_NANOS = 2_000_000_000L;

    private final ServerLoop owner;
    private final HttpServer.Config config;
    private final TcpStream stream;
    /** TLS over {@link #stream} on an https listener, else null: bytes go through {@link #read}/{@link #write}. */
    private final TlsChannel tls;
    /**
     * Input, in read mode. {@link #NO_INPUT} while nothing is buffered: a real buffer is taken
     * from the loop's pool when the socket turns readable and given back once drained, so an
     * idle keep-alive connection holds no buffer.
     */
    private ByteBuffer in = NO_INPUT;
    private static final ByteBuffer NO_INPUT = ByteBuffer.allocateDirect(0);
    private final OutputBuffer out;
    private final RequestParser parser;
    private final ChunkedDecoder chunked;
    private final BodyBuffer body;
    private final HttpRequest request;
    @SuppressWarnings("unchecked")
    private final Set<String>[] allowed = new Set[1];
    private Registration registration;

    int index = -1; // in the owner's connection list
    long deadline;  // System.nanoTime() value; 0 = none
    private int phase = HEAD;
    private long remaining;
    private boolean closeAfterWrite;
    private boolean inputClosed;
    private boolean readPaused;
    private boolean inDispatch;
    private Response syncResult;
    private Throwable syncFailure;
    private boolean syncDone;
    /**
     * {@link System#nanoTime()} when the input being processed was read (or a handler resumed):
     * deadlines and the Date line use it, so a read of 16 pipelined requests costs one clock read
     * instead of four per request.
     */
    private long now;
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
    private boolean knownDrained;

    ServerConnection(ServerLoop owner, TcpStream stream) {
        this.owner = owner;
        this.config = owner.config();
        this.stream = stream;
        this.out = new OutputBuffer(owner.writeBuffers);
        this.parser = new RequestParser(config.limits());
        this.chunked = new ChunkedDecoder(config.limits());
        this.body = new BodyBuffer(config.limits().maxBodyBytes());
        this.request = new HttpRequest(parser, body, this::peer);
        this.now = System.nanoTime();
        this.deadline = now + config.headerTimeoutNanos(); // over TLS, it bounds the handshake too
        this.tls = config.tls() == null ? null : new TlsChannel(stream,
                TlsContexts.serverEngine(config.tls(), "http/1.1"), owner.loop(),
                () -> ready(Readiness.READABLE | Readiness.WRITABLE)); // delegated TLS tasks done
        if (tls != null) {
            shortReadDrains = false; // whole records may wait in the engine: read until 0
        }
    }

    void start(Registration registration) {
        // No read yet: registering reports bytes that arrived with the connection as a readable
        // event (epoll_ctl(ADD) checks the socket; a selector's first select does too), and a
        // freshly accepted socket is usually still empty, so a read now would mostly say EAGAIN.
        this.registration = registration;
    }

    private InetSocketAddress peer() {
        try {
            return stream.peerAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Interest interest() {
        return Interest.READABLE.add(Interest.WRITABLE);
    }

    @Override
    public void ready(int flags) {
        if (phase == CLOSED) {
            return;
        }
        if ((flags & (Readiness.READ_CLOSED | Readiness.ERROR)) != 0) {
            shortReadDrains = false;
        }
        if ((flags & Readiness.ANY_WRITE) != 0 && tls != null && tls.hasPendingOutput() && flushTls()) {
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

    private void onReadable() {
        try {
            if (phase == LINGER) {
                drain();
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
                int n = read(in);
                in.flip();
                if (n == 0) {
                    drained = room > 0; // would block
                    break;
                }
                if (n < 0) {
                    endOfInput();
                    break;
                }
                now = System.nanoTime(); // once per read, not per request
                drained = shortReadDrains && n < room;
            }
            knownDrained = drained;
        } catch (IOException e) {
            close(); // reset by peer and friends: nothing to answer
            return;
        }
        releaseInputIfDrained();
        flush();
    }

    private void takeInput() {
        if (in == NO_INPUT) {
            in = owner.readBuffers.take().flip(); // read mode, empty
        }
    }

    /** Gives the input buffer back once every byte in it is consumed (parsers copy what they keep). */
    private void releaseInputIfDrained() {
        if (in != NO_INPUT && !in.hasRemaining()) {
            owner.readBuffers.give(in);
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
                        if (out.pending() > HIGH_WATER) {
                            readPaused = true; // resumed by flush() once the output drains
                            return false;
                        }
                        if (!in.hasRemaining()) {
                            return true;
                        }
                        boolean started = parser.hasStarted();
                        boolean done = parser.parse(in);
                        if (!started && (done || parser.hasStarted())) {
                            deadline = now + config.headerTimeoutNanos();
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
                        dispatch();
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
        body.clear();
        switch (parser.framing()) {
            case NONE -> remaining = 0;
            case LENGTH -> remaining = parser.contentLength();
            case CHUNKED -> chunked.reset();
        }
        if (parser.expectContinue()) {
            out.put(ResponseEncoder.CONTINUE);
        }
        deadline = now + config.idleTimeoutNanos();
        phase = BODY;
    }

    /** Returns true once the whole body is in {@link #body}. */
    private boolean readBody() throws HttpParseException {
        if (parser.framing() == RequestParser.Framing.CHUNKED) {
            boolean progress = in.hasRemaining();
            boolean done = chunked.decode(in, body);
            if (progress) {
                deadline = now + config.idleTimeoutNanos();
            }
            return done;
        }
        if (remaining > 0 && in.hasRemaining()) {
            int n = (int) Math.min(remaining, in.remaining());
            body.append(in, n);
            remaining -= n;
            deadline = now + config.idleTimeoutNanos();
        }
        return remaining == 0;
    }

    private void endOfInput() {
        inputClosed = true;
        if (phase == HANDLING || (phase == HEAD && !parser.hasStarted() && !out.isEmpty())) {
            closeAfterWrite = true; // answer what was asked (a half-closed client), then close
        } else {
            close();
        }
    }

    // ---- handlers -------------------------------------------------------------------------

    private void dispatch() {
        phase = HANDLING;
        deadline = 0;
        allowed[0] = null;
        Router.Route route = owner.router().match(request, parser.store(), parser.pathStart(), parser.pathEnd(), allowed);
        Handler sync;
        AsyncHandler async;
        if (route != null) {
            sync = route.sync();
            async = route.async();
        } else if (allowed[0] != null) {
            respond(ResponseEncoder.error(405, null).header("Allow", String.join(", ", allowed[0])));
            return;
        } else {
            sync = config.fallback();
            async = config.fallbackAsync();
        }
        if (sync != null) {
            Response r;
            try {
                r = sync.handle(request);
            } catch (Throwable t) {
                r = failed(t);
            }
            respond(r == null ? failed(new NullPointerException("handler returned null")) : r);
            return;
        }
        CompletionStage<Response> stage;
        try {
            stage = async.handle(request);
        } catch (Throwable t) {
            respond(failed(t));
            return;
        }
        if (stage == null) {
            respond(failed(new NullPointerException("handler returned null")));
            return;
        }
        // A stage that is already complete calls back inside whenComplete: catch that case and
        // answer inline instead of re-entering the state machine.
        inDispatch = true;
        syncDone = false;
        stage.whenComplete((r, e) -> {
            if (inDispatch) {
                syncDone = true;
                syncResult = r;
                syncFailure = e;
            } else if (owner.loop().inLoop()) {
                resume(r, e);
            } else {
                owner.loop().execute(() -> resume(r, e));
            }
        });
        inDispatch = false;
        if (syncDone) {
            Response r = syncResult;
            Throwable e = syncFailure;
            syncResult = null;
            syncFailure = null;
            respond(e != null || r == null ? failed(e) : r);
        }
    }

    /** An async handler finished: answer, then continue with pipelined input. */
    private void resume(Response r, Throwable e) {
        if (phase != HANDLING) {
            return; // closed meanwhile
        }
        now = System.nanoTime();
        respond(e != null || r == null ? failed(e) : r);
        onReadable();
    }

    private static Response failed(Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "handler failed", t);
        return ResponseEncoder.error(500, null);
    }

    /** Encodes the response of the current request and gets ready for the next one. */
    private void respond(Response r) {
        boolean keepAlive = parser.keepAlive() && !r.requestsClose() && !owner.isClosing() && !inputClosed;
        owner.encoder().encode(out, r, request.isHead(), keepAlive, parser.minorVersion() == 0, now);
        parser.reset();
        body.clear();
        phase = HEAD;
        deadline = now + config.idleTimeoutNanos();
        if (!keepAlive) {
            closeAfterWrite = true;
        }
    }

    /** A request the server refuses: answer with the status, then close cleanly. */
    private void fail(int status, String message) {
        owner.encoder().encode(out, ResponseEncoder.error(status, message), false, false, false, now);
        phase = HEAD;
        closeAfterWrite = true;
    }

    // ---- output and closing ----------------------------------------------------------------

    private void flush() {
        if (phase == CLOSED) {
            return;
        }
        if (!out.isEmpty()) {
            ByteBuffer b = out.flipForWrite();
            try {
                while (b.hasRemaining() && write(b) > 0) {
                    // keep writing until the socket would block
                }
            } catch (IOException e) {
                out.compactAfterWrite();
                close();
                return;
            }
            out.compactAfterWrite();
            if (!out.isEmpty()) {
                deadline = System.nanoTime() + config.idleTimeoutNanos(); // a reader that never reads is cut off
                return; // the next WRITABLE event continues
            }
            if (readPaused && phase == HEAD) {
                readPaused = false;
                onReadable(); // input was left unread while the output was backed up
                return;
            }
        }
        if (closeAfterWrite && phase != LINGER && phase != HANDLING) {
            startLinger();
        }
    }

    private void startLinger() {
        phase = LINGER;
        deadline = System.nanoTime() + LINGER_NANOS;
        try {
            if (tls == null) {
                stream.shutdown(Shutdown.WRITE);
            } else {
                tls.shutdownOutput(); // close_notify, then the TCP shutdown once every record left
            }
        } catch (IOException e) {
            close();
            return;
        }
        if (inputClosed && (tls == null || !tls.hasPendingOutput())) {
            close();
        } else {
            drain();
        }
    }

    /** Reads and drops input until the client closes (bounded by the linger deadline and size). */
    private void drain() {
        try {
            takeInput();
            while (true) {
                in.clear();
                int n = read(in);
                in.flip().limit(0);
                if (n < 0 && tls != null && tls.hasPendingOutput()) {
                    inputClosed = true; // closed by flushTls() once the last records left
                    releaseInputIfDrained();
                    return;
                }
                if (n < 0) {
                    close();
                    return;
                }
                if (n == 0) {
                    releaseInputIfDrained();
                    return;
                }
            }
        } catch (IOException e) {
            close();
        }
    }

    private int read(ByteBuffer b) throws IOException {
        return tls == null ? stream.read(b) : tls.read(b);
    }

    private int write(ByteBuffer b) throws IOException {
        return tls == null ? stream.write(b) : tls.write(b);
    }

    /** Sends queued TLS records; true if reading may go on. Closes on failure or a finished linger. */
    private boolean flushTls() {
        try {
            boolean resumeRead = tls.flush();
            if (phase == LINGER && inputClosed && !tls.hasPendingOutput()) {
                close();
            }
            return resumeRead;
        } catch (IOException e) {
            close();
            return false;
        }
    }

    /** Called by the sweep when {@link #deadline} has passed. */
    void timedOut() {
        if (phase == HEAD && parser.hasStarted() || phase == BODY) {
            // header-read (slowloris) or body timeout: tell the client, then close
            out.clear();
            now = System.nanoTime();
            owner.encoder().encode(out, ResponseEncoder.error(408, null), false, false, false, now);
            closeAfterWrite = true;
            phase = HEAD;
            flush();
            if (phase != CLOSED && phase != LINGER) {
                close();
            }
        } else {
            close();
        }
    }

    boolean isIdle() {
        return phase == HEAD && !parser.hasStarted() && out.isEmpty();
    }

    void close() {
        if (phase == CLOSED) {
            return;
        }
        phase = CLOSED;
        deadline = 0;
        if (registration != null) {
            registration.release();   // the stream closes below: no epoll_ctl(DEL) needed
        }
        if (in != NO_INPUT) {
            owner.readBuffers.give(in);
            in = NO_INPUT;
        }
        out.clear();
        try {
            stream.close();
        } catch (IOException ignored) {
            // closing is best effort; the fd is released either way
        }
        owner.removed(this);
    }
}
