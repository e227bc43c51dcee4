package io.pollen.tls;

import io.pollen.runtime.EventLoop;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;

/**
 * One connection's {@link SSLEngine} with its three buffers, stepped on the loop's thread by a
 * driver ({@link TlsStream} on futures, {@link TlsChannel} on readiness). The driver moves bytes
 * between {@link #netIn}/{@link #netOut} and the socket; this class only wraps and unwraps, and
 * says what it needs next ({@link Need}).
 *
 * <p>Buffers are heap buffers (the JDK's engine is fastest on arrays, and a heap buffer never leaves
 * native memory for the GC to free), sized from the session and grown on
 * {@code BUFFER_OVERFLOW}/{@code BUFFER_UNDERFLOW}; they are kept for the connection's life, so the
 * steady state allocates nothing per record. Delegated tasks (the handshake's certificate checks and
 * signatures) run on a virtual thread, never on the loop; the engine is not touched meanwhile, and
 * {@code resume} runs on the loop when they are done.
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

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    final SSLEngine engine;
    private final EventLoop loop;
    private final Runnable resume;
    /** Bytes from the peer not yet unwrapped; read mode, except while a driver fills it. */
    ByteBuffer netIn;
    /** Records wrapped but not yet sent; read mode. */
    ByteBuffer netOut;
    /** Plaintext unwrapped but not yet delivered; read mode. */
    private ByteBuffer appIn;
    private boolean filling;
    /** {@link #netOut} is lent to a pending socket write: nothing may be wrapped into it. */
    private boolean sending;
    private boolean taskRunning;
    /** The peer's close_notify was read. */
    private boolean inboundClosed;

    TlsEngine(SSLEngine engine, EventLoop loop, Runnable resume) {
        this.engine = engine;
        this.loop = loop;
        this.resume = resume;
        SSLSession s = engine.getSession();
        this.netIn = ByteBuffer.allocate(s.getPacketBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(s.getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(s.getApplicationBufferSize()).flip();
    }

    private boolean begun;

    /** Whether the handshake is done: a real session is established and no handshake runs. */
    boolean handshakeDone() {
        return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && !"SSL_NULL_WITH_NULL_NULL".equals(engine.getSession().getCipherSuite());
    }

    /** Makes {@link #netIn} ready to be filled (write mode); {@link #endFill()} flips it back. */
    ByteBuffer beginFill() {
        if (!netIn.hasRemaining() && netIn.position() == netIn.limit()) {
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
    }

    /** Lends {@link #netOut} to an asynchronous write; {@link #endSend()} when it completes. */
    ByteBuffer beginSend() {
        sending = true;
        return netOut;
    }

    void endSend() {
        sending = false;
        netOut.position(netOut.limit()); // all of it was written or taken by the stream's queue
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
                    SSLEngineResult.Status st = unwrap();
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
            SSLEngineResult.Status st = unwrap();
            if (st == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                need[0] = Need.READ;
                return 0;
            }
            if (st == SSLEngineResult.Status.CLOSED) {
                inboundClosed = true;
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
        netOut.compact();
        try {
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && netOut.position() == 0) {
                // Empty and still too small: the session's packets are larger than planned.
                netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
                r = engine.wrap(src, netOut);
            }
            return r;
        } finally {
            netOut.flip();
        }
    }

    private SSLEngineResult.Status unwrap() throws SSLException {
        if (filling) {
            return SSLEngineResult.Status.BUFFER_UNDERFLOW; // a read of the driver's is in flight
        }
        appIn.compact();
        try {
            while (true) {
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                switch (r.getStatus()) {
                    case BUFFER_OVERFLOW -> appIn = grow(appIn.flip(), engine.getSession().getApplicationBufferSize()).compact();
                    case BUFFER_UNDERFLOW -> {
                        int packet = engine.getSession().getPacketBufferSize();
                        if (netIn.capacity() < packet) {
                            netIn = grow(netIn, packet); // stays in read mode
                        }
                        return r.getStatus();
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

    /** A larger buffer (read mode) holding {@code b}'s unread bytes, with at least {@code room} free. */
    private static ByteBuffer grow(ByteBuffer b, int room) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.remaining() + room));
        return bigger.put(b).flip();
    }

    private static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (n == 0) {
            return 0;
        }
        to.put(to.position(), from, from.position(), n);
        to.position(to.position() + n);
        from.position(from.position() + n);
        return n;
    }

    private void startTasks() {
        taskRunning = true;
        Thread.ofVirtual().name("pollen-tls-task").start(() -> {
            try {
                Runnable t;
                while ((t = engine.getDelegatedTask()) != null) {
                    t.run();
                }
            } catch (Throwable ignored) {
                // The engine keeps the failure and reports it from the next wrap or unwrap.
            }
            try {
                loop.execute(() -> {
                    taskRunning = false;
                    resume.run();
                });
            } catch (RuntimeException loopClosed) {
                // the loop closed its sockets; nothing to resume
            }
        });
    }
}
