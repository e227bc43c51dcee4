package io.pollen.tls;

import io.pollen.net.Shutdown;
import io.pollen.net.StreamSocket;
import io.pollen.net.TcpStream;
import io.pollen.runtime.EventLoop;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * TLS over a non-blocking {@link StreamSocket} (a {@link TcpStream}, or a Unix stream), for readiness-driven code (a
 * {@link io.pollen.runtime.ReadyHandler} that reads until "would block", like Pollen's HTTP
 * server): {@link #read} and {@link #write} have the socket's shape, with plaintext.
 *
 * <pre>{@code
 * TlsChannel tls = new TlsChannel(socket, TlsContexts.serverEngine(ctx), loop, () -> handler.ready(READABLE | WRITABLE));
 * // in the handler: on a writable event call tls.flush() (true: reading may go on),
 * // then read and write as with the socket.
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Loop thread only. The handshake runs inside {@link #read} (and {@link #write}): they return
 *       0 until application data flows. A read returning 0 means "wait for an event": the socket
 *       would block, or the engine's delegated tasks run off the loop, after which {@code resume}
 *       runs on the loop (treat it as a readable and writable event).</li>
 *   <li>A short read does <em>not</em> prove the socket drained (whole records sit in the engine's
 *       buffer): read until 0.</li>
 *   <li>{@link #write} consumes at most one record (16 KiB) per call and may return a positive
 *       count while the record is still queued here; {@link #flush()} on writable events sends
 *       the rest. Nothing is lost but nothing is guaranteed sent before {@link #flush()} says so.</li>
 *   <li>{@link #read} returns -1 at the peer's close_notify, and also when the peer closes the TCP
 *       connection without one (a truncation: {@link #truncated()} says so).</li>
 *   <li>{@link #shutdownOutput()} sends close_notify, then shuts the TCP write half down once
 *       every record is out (perhaps only on a later {@link #flush()}).</li>
 *   <li>There is no handshake timeout of its own: the owner's deadlines (the HTTP server's header
 *       timeout) cover a peer that stalls.</li>
 * </ul>
 */
public final class TlsChannel implements AutoCloseable {
    private final StreamSocket socket;
    private final TlsEngine tls;
    private final TlsEngine.Need[] need = new TlsEngine.Need[1];
    private boolean shutdownPending;
    private boolean shutdownDone;
    private boolean truncated;
    /** A read stopped because our records had to go first: a flush lets it go on. */
    private boolean readWaitsForFlush;

    /**
     * @param socket a connected socket, registered by the caller
     * @param engine a configured engine (see {@link TlsContexts}); client or server mode
     * @param loop   the loop that owns the socket
     * @param resume runs on the loop when delegated tasks are done
     */
    public TlsChannel(StreamSocket socket, SSLEngine engine, EventLoop loop, Runnable resume) {
        this(socket, engine, loop, resume, null);
    }

    /**
     * Like {@link #TlsChannel(StreamSocket, SSLEngine, EventLoop, Runnable)}, with the record
     * buffers taken from {@code buffers} (typically the loop's pool) while bytes are in flight and
     * given back once drained, at the end of each {@link #read}, {@link #write}, {@link #flush} and
     * at {@link #close}: an idle connection then holds no buffer. Null: the connection allocates
     * its own heap buffers at first use and keeps them (about 50 KB).
     */
    public TlsChannel(StreamSocket socket, SSLEngine engine, EventLoop loop, Runnable resume, TlsBuffers buffers) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.tls = new TlsEngine(Objects.requireNonNull(engine, "engine"), loop, resume, buffers);
    }

    /**
     * Reads plaintext: bytes read (&gt; 0), 0 to wait for an event (or if {@code dst} is full), -1
     * at the end of the peer's data.
     *
     * @throws SSLException a handshake failure or a bad record (the alert for the peer was sent, as far
     *                      as the socket took it; the output is then closed)
     */
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        try {
            return readRecords(dst);
        } catch (SSLException e) {
            sendAlert();
            throw e;
        } finally {
            tls.releaseIdle();
        }
    }

    /** After a failure: the engine's alert goes out now, best effort (the owner closes next). */
    private void sendAlert() {
        try {
            tls.closeOutbound(); // wraps the fatal alert the engine queued
            send();
        } catch (IOException | RuntimeException ignored) {
            // the peer gets no alert, only the close
        }
    }

    private int readRecords(ByteBuffer dst) throws IOException {
        readWaitsForFlush = false;
        while (true) {
            int n = tls.read(dst, need);
            if (n != 0) {
                sendQuietly();
                return n;
            }
            switch (need[0]) {
                case TASK -> {
                    return 0;
                }
                case FLUSH -> {
                    if (!send()) {
                        readWaitsForFlush = true;
                        return 0;
                    }
                }
                default -> { // READ
                    if (!send()) {
                        readWaitsForFlush = true; // a handshake flight waits; reading can go on after it
                    }
                    int got = socket.read(tls.beginFill());
                    tls.endFill();
                    if (got == 0) {
                        return 0;
                    }
                    if (got < 0) {
                        return endOfStream();
                    }
                }
            }
        }
    }

    private int endOfStream() throws SSLException {
        if (!tls.handshakeDone()) {
            throw new SSLException("the peer closed the connection during the TLS handshake");
        }
        truncated = true;
        return -1;
    }

    /**
     * Encrypts up to one record of {@code src}: bytes consumed, 0 when the socket (or the
     * handshake) must progress first.
     */
    public int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        try {
            if (shutdownPending || !send()) {
                return 0;
            }
            int n = tls.write(src, need); // 0: the handshake waits for the peer; the read side drives it
            sendQuietly();
            return n;
        } finally {
            tls.releaseIdle();
        }
    }

    /**
     * Sends queued records (call it on writable events). Returns true if a read stopped to let
     * them go first and may now go on.
     */
    public boolean flush() throws IOException {
        boolean empty;
        try {
            empty = send();
        } finally {
            tls.releaseIdle();
        }
        if (empty && readWaitsForFlush) {
            readWaitsForFlush = false;
            return true;
        }
        return false;
    }

    /** Whether records wait to be sent (see {@link #flush()}). */
    public boolean hasPendingOutput() {
        return tls.netOut.hasRemaining() || (shutdownPending && !shutdownDone);
    }

    /**
     * Queues close_notify after the records already queued, and shuts the TCP write half down
     * once they are sent (now, or on a later {@link #flush()}).
     */
    public void shutdownOutput() throws IOException {
        if (shutdownPending) {
            return;
        }
        shutdownPending = true;
        try {
            send();
        } finally {
            tls.releaseIdle();
        }
    }

    /** Whether the peer closed without close_notify (after the handshake). */
    public boolean truncated() {
        return truncated;
    }

    /** Whether the handshake is complete. */
    public boolean isHandshakeComplete() {
        return tls.handshakeDone();
    }

    /** The negotiated session (its protocol, cipher suite, peer certificates). */
    public SSLSession session() {
        return tls.engine.getSession();
    }

    public StreamSocket socket() {
        return socket;
    }

    /**
     * Closes the socket at once (no close_notify: use {@link #shutdownOutput()} first) and gives
     * every buffer back. Idempotent.
     */
    @Override
    public void close() throws IOException {
        tls.close();
        socket.close();
    }

    /** Writes {@link TlsEngine#netOut}; true once it is empty (and a pending shutdown done). */
    private boolean send() throws IOException {
        while (true) {
            ByteBuffer out = tls.netOut;
            while (out.hasRemaining()) {
                if (socket.write(out) == 0) {
                    return false;
                }
            }
            if (!shutdownPending || shutdownDone) {
                return true;
            }
            if (!tls.engine.isOutboundDone()) {
                tls.closeOutbound();
                if (tls.netOut.hasRemaining()) {
                    continue;
                }
            }
            shutdownDone = true;
            socket.shutdown(Shutdown.WRITE);
            return true;
        }
    }

    /** {@link #send()} after a read: a failure to send shows on the next write, not here. */
    private void sendQuietly() {
        try {
            send();
        } catch (IOException ignored) {
            // the next write or read meets the same broken socket and reports it
        }
    }
}
