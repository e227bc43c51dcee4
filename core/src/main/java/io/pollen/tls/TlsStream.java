package io.pollen.tls;

import io.pollen.runtime.AsyncStream;
import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.EventLoop;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ReadPendingException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * TLS on an {@link AsyncStream} (an {@link AsyncTcpStream}, or a Unix stream), with the same shape: {@link #read}, {@link #write},
 * {@link #writeAll}, {@link #shutdownOutput()}, {@link #close()} return futures completed on the
 * stream's loop. Usable for any protocol; Pollen's HTTP client uses it for {@code https}.
 *
 * <pre>{@code
 * AsyncTcpStream.connect(loop, addr, timeout)
 *     .thenCompose(tcp -> TlsStream.handshake(tcp, TlsContexts.clientEngine(ctx, "example.org", 443, "http/1.1"), timeout))
 *     .thenCompose(tls -> tls.writeAll(request).thenCompose(v -> tls.read(buf)));
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Built on the TCP stream's public operations only; the SSLEngine is stepped on the loop
 *       thread, its delegated tasks run on a virtual thread (the loop never blocks on a
 *       certificate check or a signature).</li>
 *   <li>{@link #handshake} completes once the handshake is done; it fails with the engine's
 *       {@link javax.net.ssl.SSLHandshakeException} (see {@link TlsContexts} for the messages of
 *       certificate failures), or with {@link TimeoutException} after the timeout, and the TCP
 *       stream is closed.</li>
 *   <li>One read at a time; it completes with the plaintext bytes read (at least 1), or -1 at
 *       the peer's close_notify <em>or</em> at a TCP end of stream without one (a truncation,
 *       which {@link #truncated()} reports: HTTP frames its messages, other protocols must decide).</li>
 *   <li>Writes are encrypted in call order, one record at a time through the TCP stream's
 *       {@code writeAll} (its water marks give the backpressure). {@link #write} completes with the
 *       bytes of the one record it took; {@link #writeAll} once all its bytes are handed to TCP.</li>
 *   <li>Post-handshake messages (TLS 1.3 KeyUpdate and session tickets, a TLS 1.2 renegotiation)
 *       are handled while reading; a KeyUpdate's answer is sent on its own.</li>
 *   <li>Any failure is sticky: pending and later operations fail with it, the TCP stream closes.
 *       A write that fails because the peer broke the connection fails with the peer's fatal alert
 *       when one arrived first (a client certificate refused after a TLS 1.3 handshake), read from
 *       what the socket still holds, and with the socket's error ({@code EPIPE}...) otherwise.</li>
 * </ul>
 */
public final class TlsStream implements AutoCloseable {
    private static final int SOME = 0;
    private static final int ALL = 1;
    private static final int SHUTDOWN = 2;

    private final AsyncStream tcp;
    private final EventLoop loop;
    private final TlsEngine tls;
    private final TlsEngine.Need[] need = new TlsEngine.Need[1];
    private final ArrayDeque<Write> writes = new ArrayDeque<>();
    /** Writes whose last bytes are in the record being sent: complete when it is. */
    private final ArrayDeque<Write> inFlight = new ArrayDeque<>();
    private CompletableFuture<TlsStream> handshake;
    private boolean handshakeDone;
    private boolean netReading;
    private boolean netWriting;
    private boolean netEof;
    private boolean truncated;
    private boolean pumping;
    private boolean again;
    private Throwable failure;
    /** A TCP write failed on a broken connection: what the socket still holds is read for the peer's alert first. */
    private Throwable writeFailure;
    private ByteBuffer readDst;
    private CompletableFuture<Integer> readFuture;

    private record Write(int kind, ByteBuffer src, CompletableFuture<Object> future, int[] consumed) {
    }

    private TlsStream(AsyncStream tcp, SSLEngine engine, TlsBuffers buffers) {
        this.tcp = tcp;
        this.loop = tcp.loop();
        this.tls = new TlsEngine(engine, loop, this::pump, buffers);
    }

    /**
     * Runs the handshake of {@code engine} (client or server mode, see {@link TlsContexts}) over
     * {@code tcp}; completes with the stream once it is done. {@code timeout} (null: none) bounds
     * the whole handshake; when it passes, the future fails with {@link TimeoutException} and
     * {@code tcp} is closed.
     */
    public static CompletableFuture<TlsStream> handshake(AsyncStream tcp, SSLEngine engine, Duration timeout) {
        return handshake(tcp, engine, timeout, null);
    }

    /**
     * Like {@link #handshake(AsyncStream, SSLEngine, Duration)}, with the record buffers taken from
     * {@code buffers} (a pool of the stream's loop) while bytes are in flight and given back once
     * drained: an idle stream with no read pending holds no buffer (a pending read holds one, lent
     * to the TCP read). Null: the stream allocates its own heap buffers at first use and keeps them.
     */
    public static CompletableFuture<TlsStream> handshake(AsyncStream tcp, SSLEngine engine, Duration timeout, TlsBuffers buffers) {
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(engine, "engine");
        return LoopRelay.onLoop(tcp.loop(), () -> {
            TlsStream s = new TlsStream(tcp, engine, buffers);
            s.handshake = new CompletableFuture<>();
            if (timeout != null) {
                var timer = s.loop.schedule(timeout, () -> s.fail(new TimeoutException("TLS handshake with "
                        + LoopRelay.peer(engine) + " timed out after " + timeout.toMillis() + " ms")));
                s.handshake.whenComplete((v, e) -> timer.cancel());
            }
            s.pump();
            return s.handshake;
        });
    }

    public EventLoop loop() {
        return loop;
    }

    /** The TCP stream underneath (for socket options and addresses); do not read or write it. */
    public AsyncStream tcp() {
        return tcp;
    }

    /** The negotiated session: protocol, cipher suite, peer certificates. */
    public SSLSession session() {
        return tls.engine.getSession();
    }

    /** The protocol chosen by ALPN, "" if none was negotiated. */
    public String applicationProtocol() {
        String p = tls.engine.getApplicationProtocol();
        return p == null ? "" : p;
    }

    /** Whether the peer ended the TCP connection without a close_notify. */
    public boolean truncated() {
        return truncated;
    }

    /** Whether plaintext is buffered here, unread (an idle connection should have none). Loop thread. */
    public boolean hasBufferedInput() {
        return tls.hasBufferedPlaintext() || tls.netIn.hasRemaining();
    }

    public boolean isOpen() {
        return failure == null && tcp.isOpen();
    }

    /** Reads plaintext: completes with how many bytes (at least 1), 0 if {@code dst} is full, -1 at the end. */
    public CompletableFuture<Integer> read(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return LoopRelay.onLoop(loop, () -> {
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (readFuture != null) {
                return CompletableFuture.failedFuture(new ReadPendingException());
            }
            if (!dst.hasRemaining()) {
                return CompletableFuture.completedFuture(0);
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            readDst = dst;
            readFuture = f;
            pump();
            return f;
        });
    }

    /** Encrypts and writes up to one record of {@code src}: completes with the bytes taken. */
    public CompletableFuture<Integer> write(ByteBuffer src) {
        return queue(SOME, Objects.requireNonNull(src, "src")).thenApply(v -> (Integer) v);
    }

    /** Encrypts and writes all of {@code src}; its buffer may be reused once this completes. */
    public CompletableFuture<Void> writeAll(ByteBuffer src) {
        return queue(ALL, Objects.requireNonNull(src, "src")).thenApply(v -> null);
    }

    /** After the queued writes, sends close_notify and shuts the TCP write half down. */
    public CompletableFuture<Void> shutdownOutput() {
        return queue(SHUTDOWN, null).thenApply(v -> null);
    }

    private CompletableFuture<Object> queue(int kind, ByteBuffer src) {
        return LoopRelay.onLoop(loop, () -> {
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            CompletableFuture<Object> f = new CompletableFuture<>();
            writes.add(new Write(kind, src, f, new int[1]));
            pump();
            return f;
        });
    }

    /** Closes the TCP stream at once (no close_notify: {@link #shutdownOutput()} first for that). */
    @Override
    public void close() {
        if (!loop.inLoop()) {
            try {
                loop.execute(this::close);
            } catch (RuntimeException loopClosed) {
                tcp.close();
            }
            return;
        }
        fail(new AsynchronousCloseException());
    }

    // ---- the driver: every change (an operation, a socket result, tasks done) pumps ----

    private void pump() {
        if (pumping) {
            again = true; // a socket future completed inside this pump: go round once more
            return;
        }
        pumping = true;
        try {
            do {
                again = false;
                if (failure == null && pumpHandshake()) {
                    pumpRead();
                    pumpWrites();
                }
            } while (again && failure == null);
            tls.releaseIdle();
        } catch (SSLException | RuntimeException e) {
            fail(e);
        } finally {
            pumping = false;
        }
    }

    private boolean pumpHandshake() throws SSLException {
        if (handshakeDone) {
            return true;
        }
        switch (tls.step()) {
            case NONE -> {
                handshakeDone = true;
                handshake.complete(this);
                return true;
            }
            case FLUSH -> sendNet();
            case READ -> {
                sendNet();
                readNet();
            }
            case CLOSED -> throw new SSLException("the TLS engine closed during the handshake");
            case TASK -> {
                // resumed by the task's end
            }
        }
        return false;
    }

    private void pumpRead() throws SSLException {
        if (readFuture == null) {
            return;
        }
        if (readFuture.isDone()) { // abandoned by its caller
            readFuture = null;
            readDst = null;
            return;
        }
        int n = tls.read(readDst, need);
        if (n == 0 && need[0] == TlsEngine.Need.READ && netEof) {
            truncated = true;
            n = -1;
        }
        sendNet(); // a KeyUpdate's answer, if the read produced one
        if (n != 0) {
            CompletableFuture<Integer> f = readFuture;
            readFuture = null;
            readDst = null;
            f.complete(n);
        } else if (need[0] == TlsEngine.Need.READ) {
            readNet();
        }
    }

    private void pumpWrites() throws SSLException {
        while (!netWriting && !writes.isEmpty() && failure == null) {
            Write w = writes.peek();
            if (w.kind == SHUTDOWN) {
                if (!tls.engine.isOutboundDone()) {
                    tls.closeOutbound();
                }
                if (tls.netOut.hasRemaining()) {
                    sendNet();
                    continue;
                }
                writes.poll();
                tcp.shutdownOutput().whenComplete((v, e) -> LoopRelay.settle(w.future, null, e));
                continue;
            }
            int n = w.src.hasRemaining() ? tls.write(w.src, need) : 0;
            w.consumed[0] += n;
            if (n > 0 && (w.kind == SOME || !w.src.hasRemaining())) {
                writes.poll();
                inFlight.add(w);
            } else if (n == 0 && !w.src.hasRemaining()) {
                writes.poll();
                w.future.complete(0);
                continue;
            } else if (n == 0 && need[0] == TlsEngine.Need.READ) {
                readNet(); // a renegotiation waits for the peer: read (plaintext stays buffered)
                return;
            } else if (n == 0 && need[0] == TlsEngine.Need.TASK) {
                return;
            }
            sendNet();
        }
    }

    private void sendNet() {
        if (netWriting) {
            return;
        }
        if (!tls.netOut.hasRemaining()) {
            completeInFlight();
            return;
        }
        netWriting = true;
        tcp.writeAll(tls.beginSend()).whenComplete((v, e) -> {
            tls.endSend();
            netWriting = false;
            if (e != null) {
                writeFailed(e);
                return;
            }
            completeInFlight();
            pump();
        });
    }

    private void completeInFlight() {
        Write w;
        while ((w = inFlight.poll()) != null) {
            w.future.complete(w.kind == SOME ? (Object) w.consumed[0] : null);
        }
    }

    private void readNet() {
        if (netReading) {
            return;
        }
        if (netEof) {
            if (!handshakeDone) {
                fail(new SSLException("the peer closed the connection during the TLS handshake"));
            }
            return;
        }
        netReading = true;
        tcp.read(tls.beginFill()).whenComplete((n, e) -> {
            tls.endFill();
            netReading = false;
            if (writeFailure != null) {
                explainWriteFailure(n, e);
                return;
            }
            if (e != null) {
                fail(e);
                return;
            }
            if (n < 0) {
                netEof = true;
            }
            pump();
        });
    }

    /**
     * A TCP write failed. When the connection broke ({@code EPIPE}, {@code ECONNRESET}: the peer
     * closed it), the peer often said why first: a fatal alert (a refused client certificate in
     * TLS 1.3 arrives after our handshake ended) sits unread in the socket. The stream reads what
     * is there and fails with that alert, else with {@code e}. A closed or timed-out stream fails at
     * once; reading a broken connection ends by itself (its data, then an error or the end).
     */
    private void writeFailed(Throwable e) {
        Throwable cause = LoopRelay.unwrap(e);
        if (failure != null || netEof || !(cause instanceof java.io.IOException)
                || cause instanceof java.nio.channels.ClosedChannelException) {
            fail(e);
            return;
        }
        writeFailure = e;
        readNet(); // or the read in flight completes into explainWriteFailure
    }

    /** A read after a failed write: a fatal alert among its records fails the stream; else the write's error. */
    private void explainWriteFailure(Integer n, Throwable e) {
        if (failure != null) {
            return;
        }
        if (e == null && n > 0) {
            try {
                tls.unwrapBuffered();
            } catch (SSLException | RuntimeException alert) {
                fail(alert);
                return;
            }
            readNet(); // the alert may follow other records
            return;
        }
        fail(writeFailure);
    }

    /** Fails everything pending and closes the TCP stream; the first failure sticks. */
    private void fail(Throwable e) {
        e = LoopRelay.unwrap(e);
        if (failure != null) {
            return;
        }
        failure = e = LoopRelay.readable(e, tls.engine);
        tcp.close();
        tls.close(); // buffers back (a lent one when its operation ends)
        if (handshake != null && !handshake.isDone()) {
            handshake.completeExceptionally(e);
        }
        if (readFuture != null) {
            CompletableFuture<Integer> f = readFuture;
            readFuture = null;
            readDst = null;
            f.completeExceptionally(e);
        }
        for (ArrayDeque<Write> q : java.util.List.of(inFlight, writes)) {
            Write w;
            while ((w = q.poll()) != null) {
                w.future.completeExceptionally(e);
            }
        }
    }

    @Override
    public String toString() {
        return "TlsStream{" + tcp + ", " + session().getProtocol() + "}";
    }
}
