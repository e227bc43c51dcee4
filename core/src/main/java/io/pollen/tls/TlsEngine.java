package io.pollen.tls;

import io.pollen.runtime.EventLoop;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;

/**
 * One connection's {@link SSLEngine} with its three buffers, stepped on the loop's thread by a
 * driver ({@link TlsStream} on futures, {@link TlsChannel} on readiness). The driver moves bytes
 * between {@link #netIn}/{@link #netOut} and the socket; this class only wraps and unwraps, and
 * says what it needs next ({@link Need}).
 *
 * <p>Buffers: with a {@link TlsBuffers} source, each buffer is taken when bytes must be held
 * (a read from the socket, a record to send, plaintext that did not fit the reader's buffer) and
 * given back by {@link #releaseIdle()} once empty and not lent to the driver, so an idle
 * connection holds none; a partial record keeps {@link #netIn} until its rest arrives. Without a
 * source, heap buffers are allocated at first use and kept for the connection's life. Either way
 * the steady state allocates nothing per record. Plaintext is unwrapped straight into the reader's
 * buffer when it has room for the record, else into {@link #appIn}. Sizes come from the session
 * and grow on {@code BUFFER_OVERFLOW}/{@code BUFFER_UNDERFLOW}. Delegated tasks run off the loop
 * ({@link DelegatedTasks}); {@code resume} runs on the loop when they are done.
 */
final class TlsEngine {
    /** What the engine waits for before it can go on. */
    enum Need {
        /** Nothing: the handshake is done (or the data phase goes on). */
        NONE,
        /** More bytes from the peer in {@link #netIn}. */
        READ,
        /** {@link #netOut} must be sent first. */
        FLUSH,
        /** Delegated tasks run off the loop; {@code resume} follows. */
        TASK,
        /** The engine is closed. */
        CLOSED
    }

    /** Nothing to read and no room: a slot that holds no buffer. Shared, never written to. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    final SSLEngine engine;
    private final EventLoop loop;
    private final Runnable resume;
    /** Where buffers come from and go back to; null: own heap buffers, kept. */
    private final TlsBuffers pool;
    /** Bytes from the peer not yet unwrapped; read mode, except while a driver fills it. */
    ByteBuffer netIn = EMPTY;
    /** Records wrapped but not yet sent; read mode. */
    ByteBuffer netOut = EMPTY;
    /** Plaintext unwrapped but not yet delivered; read mode. */
    private ByteBuffer appIn = EMPTY;
    /** {@link #netIn} is lent to a pending socket read. */
    private boolean filling;
    /** {@link #netOut} is lent to a pending socket write: nothing may be wrapped into it. */
    private boolean sending;
    private boolean taskRunning;
    /** The peer's close_notify was read. */
    private boolean inboundClosed;
    /** {@link #close()} was called: buffers go back as soon as they are not lent. */
    private boolean closed;
    private boolean begun;

    TlsEngine(SSLEngine engine, EventLoop loop, Runnable resume, TlsBuffers pool) {
        this.engine = engine;
        this.loop = loop;
        this.resume = resume;
        this.pool = pool;
    }

    /** Whether the handshake is done: a real session is established and no handshake runs. */
    boolean handshakeDone() {
        return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && !"SSL_NULL_WITH_NULL_NULL".equals(engine.getSession().getCipherSuite());
    }

    /** Makes {@link #netIn} ready to be filled (write mode); {@link #endFill()} flips it back. */
    ByteBuffer beginFill() {
        if (netIn == EMPTY) {
            netIn = take(engine.getSession().getPacketBufferSize());
        } else if (!netIn.hasRemaining()) {
            netIn.clear();
        } else {
            netIn.compact();
        }
        if (!netIn.hasRemaining()) { // a record larger than the buffer (see unwrap)
            netIn = grow(netIn.flip(), engine.getSession().getPacketBufferSize() + netIn.limit()).compact();
        }
        filling = true;
        return netIn;
    }

    void endFill() {
        netIn.flip();
        filling = false;
        if (closed) {
            close();
        }
    }

    /** Lends {@link #netOut} to an asynchronous write; {@link #endSend()} when it completes. */
    ByteBuffer beginSend() {
        sending = true;
        return netOut;
    }

    void endSend() {
        sending = false;
        netOut.position(netOut.limit()); // all of it was written or taken by the stream's queue
        if (closed) {
            close();
        }
    }

    /**
     * Gives back every buffer that is empty and not lent (with a {@link TlsBuffers} source; a
     * no-op otherwise). Drivers call it when an operation ends: an idle connection holds nothing.
     */
    void releaseIdle() {
        release(false);
    }

    /**
     * The connection is closed: gives back every buffer not lent, whatever it holds (a lent one
     * comes back at {@link #endFill()}/{@link #endSend()}). Idempotent.
     */
    void close() {
        closed = true;
        release(true);
    }

    private void release(boolean all) {
        if (pool == null) {
            return;
        }
        if (netIn != EMPTY && !filling && (all || !netIn.hasRemaining())) {
            netIn = give(netIn);
        }
        if (netOut != EMPTY && !sending && (all || !netOut.hasRemaining())) {
            netOut = give(netOut);
        }
        if (appIn != EMPTY && (all || !appIn.hasRemaining())) {
            appIn = give(appIn);
        }
    }

    /** A cleared buffer (write mode) of at least {@code n} bytes. */
    private ByteBuffer take(int n) {
        if (closed) {
            throw new IllegalStateException("the TLS connection is closed");
        }
        return pool == null ? ByteBuffer.allocate(n) : pool.take(n);
    }

    /** Gives {@code b} back (or drops it to the GC without a source); returns {@link #EMPTY}. */
    private ByteBuffer give(ByteBuffer b) {
        if (pool != null) {
            pool.give(b);
        }
        return EMPTY;
    }

    boolean hasBufferedPlaintext() {
        return appIn.hasRemaining();
    }

    boolean inboundClosed() {
        return inboundClosed;
    }

    /**
     * Drives the handshake as far as it goes without I/O: wraps what the engine wants to send,
     * unwraps what {@link #netIn} holds, starts delegated tasks. Also handles post-handshake
     * messages (a KeyUpdate to answer, a renegotiation).
     */
    Need step() throws SSLException {
        if (!begun) {
            begun = true;
            engine.beginHandshake(); // a client's first step is then to wrap its ClientHello
        }
        while (true) {
            if (taskRunning) {
                return Need.TASK;
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    startTasks();
                    return Need.TASK;
                }
                case NEED_WRAP -> {
                    if (sending) {
                        return Need.FLUSH;
                    }
                    SSLEngineResult.Status st = wrap(EMPTY).getStatus();
                    if (st == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        return Need.FLUSH;
                    }
                    if (st == SSLEngineResult.Status.CLOSED) {
                        return netOut.hasRemaining() ? Need.FLUSH : Need.CLOSED;
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (netOut.hasRemaining()) {
                        return Need.FLUSH; // the peer waits for our flight before it answers
                    }
                    SSLEngineResult.Status st = unwrap(null);
                    if (st == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        return Need.READ;
                    }
                    if (st == SSLEngineResult.Status.CLOSED) {
                        return Need.CLOSED;
                    }
                }
                default -> {
                    return netOut.hasRemaining() ? Need.FLUSH : Need.NONE;
                }
            }
        }
    }

    /**
     * Moves plaintext into {@code dst}: bytes moved (&gt; 0), -1 once the peer's close_notify was
     * read, or 0 with {@code need[0]} saying why ({@link Need#READ}, {@link Need#FLUSH},
     * {@link Need#TASK}).
     */
    int read(ByteBuffer dst, Need[] need) throws SSLException {
        while (true) {
            if (appIn.hasRemaining()) {
                return transfer(appIn, dst);
            }
            if (inboundClosed) {
                return -1;
            }
            Need n = step();
            if (n == Need.CLOSED) {
                inboundClosed = engine.isInboundDone();
                if (inboundClosed) {
                    continue;
                }
                throw new SSLException("the TLS engine is closed");
            }
            if (n == Need.TASK || n == Need.READ
                    || n == Need.FLUSH && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                need[0] = n; // a handshake flight must leave before the handshake goes on
                return 0;
            }
            // NONE, or FLUSH of data records (they need not hold reading up)
            int before = dst.position();
            SSLEngineResult.Status st = unwrap(dst);
            if (st == SSLEngineResult.Status.CLOSED) {
                inboundClosed = true;
            }
            if (dst.position() > before) {
                return dst.position() - before; // unwrapped straight into dst
            }
            if (st == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                need[0] = Need.READ;
                return 0;
            }
            // OK: plaintext, or a post-handshake message consumed (the loop sees what it asks for)
        }
    }

    /**
     * Wraps up to one record of {@code src} into {@link #netOut}: bytes consumed (&gt; 0), or 0 with
     * {@code need[0]} saying why ({@link Need#FLUSH} when netOut is full, or the handshake's need).
     */
    int write(ByteBuffer src, Need[] need) throws SSLException {
        Need n = step();
        if (n == Need.READ || n == Need.TASK) {
            need[0] = n;
            return 0;
        }
        if (sending) {
            need[0] = Need.FLUSH;
            return 0;
        }
        if (n == Need.CLOSED || engine.isOutboundDone()) {
            throw new SSLException("TLS output is closed (close_notify was sent)");
        }
        SSLEngineResult r = wrap(src);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            need[0] = Need.FLUSH;
            return 0;
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("TLS output is closed (close_notify was sent)");
        }
        return r.bytesConsumed();
    }

    /**
     * Unwraps every whole record in {@link #netIn} (plaintext stays in {@link #appIn}); a fatal
     * alert from the peer throws its {@link SSLException}. For reading why a connection broke.
     */
    void unwrapBuffered() throws SSLException {
        while (netIn.hasRemaining() && !engine.isInboundDone()) {
            int before = netIn.remaining();
            if (unwrap(null) != SSLEngineResult.Status.OK || netIn.remaining() == before) {
                return; // a partial record, the end, or a handshake that waits for something else
            }
        }
    }

    /** Closes the outbound side: close_notify is wrapped into {@link #netOut} (if there is room). */
    void closeOutbound() throws SSLException {
        engine.closeOutbound();
        if (sending) {
            return;
        }
        while (!engine.isOutboundDone()) {
            SSLEngineResult r = wrap(EMPTY);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW || r.bytesProduced() == 0) {
                return; // sent after the pending records (the driver flushes and calls again)
            }
        }
    }

    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        if (netOut == EMPTY) {
            netOut = take(engine.getSession().getPacketBufferSize()).flip();
        }
        netOut.compact();
        try {
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && netOut.position() == 0) {
                // Empty and still too small: the session's packets are larger than planned.
                give(netOut);
                netOut = take(engine.getSession().getPacketBufferSize() * 2);
                r = engine.wrap(src, netOut);
            }
            return r;
        } finally {
            netOut.flip();
        }
    }

    /**
     * Unwraps one record (or what the handshake wants): into {@code dst} when it is given, no
     * plaintext waits in {@link #appIn} and the record's plaintext fits (no copy, no buffer held),
     * else into {@link #appIn}.
     */
    private SSLEngineResult.Status unwrap(ByteBuffer dst) throws SSLException {
        if (filling) {
            return SSLEngineResult.Status.BUFFER_UNDERFLOW; // a read of the driver's is in flight
        }
        if (dst != null && !appIn.hasRemaining()) {
            SSLEngineResult r = engine.unwrap(netIn, dst);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW ? underflow() : r.getStatus();
            }
            // the record's plaintext does not fit in dst: unwrap it into appIn, dst gets part of it
        }
        if (appIn == EMPTY) {
            appIn = take(engine.getSession().getApplicationBufferSize()).flip();
        }
        appIn.compact();
        try {
            while (true) {
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                switch (r.getStatus()) {
                    case BUFFER_OVERFLOW -> appIn = grow(appIn.flip(), engine.getSession().getApplicationBufferSize()).compact();
                    case BUFFER_UNDERFLOW -> {
                        return underflow();
                    }
                    default -> {
                        return r.getStatus();
                    }
                }
            }
        } finally {
            appIn.flip();
        }
    }

    /** A partial record: makes sure {@link #netIn} can hold a whole one once filled. */
    private SSLEngineResult.Status underflow() {
        int packet = engine.getSession().getPacketBufferSize();
        if (netIn != EMPTY && netIn.capacity() < packet) {
            netIn = grow(netIn, packet); // stays in read mode
        }
        return SSLEngineResult.Status.BUFFER_UNDERFLOW;
    }

    /**
     * A larger buffer (read mode) holding {@code b}'s unread bytes, with at least {@code room} free;
     * {@code b} goes back.
     */
    private ByteBuffer grow(ByteBuffer b, int room) {
        ByteBuffer bigger = take(Math.max(b.capacity() * 2, b.remaining() + room));
        bigger.put(b).flip();
        give(b);
        return bigger;
    }

    private static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        to.put(to.position(), from, from.position(), n);
        to.position(to.position() + n);
        from.position(from.position() + n);
        return n;
    }

    private void startTasks() {
        taskRunning = true;
        DelegatedTasks.start(engine, loop, () -> {
            taskRunning = false;
            resume.run();
        });
    }
}
