package io.pollen.runtime;

import io.pollen.net.TcpStream;
import io.pollen.poll.Interest;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A TCP connection driven by an {@link EventLoop}: every operation returns a
 * {@link CompletableFuture} completed on the loop, where its continuations run.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=stream}
 *
 * <p>Blocking style: from a virtual thread, {@code join()} any of these futures; the virtual thread
 * parks (no carrier pinned) while the loop's thread polls, and resumes when the loop completes the
 * future. Operations may be called from any thread; off the loop they are handed to it.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>One read at a time ({@link #read} or {@link #readExactly}); a second one fails with
 *       {@link ReadPendingException}. The buffer belongs to the stream until the future completes.</li>
 *   <li>Writes are queued in call order. {@link #writeAll} applies backpressure with water marks
 *       (see {@link #setWriteBufferWaterMarks}): it completes when its bytes are written or buffered
 *       under the high mark, otherwise when the queue has drained to the low mark. Its buffer may
 *       be reused once the future completes.</li>
 *   <li>Cancelling a read's future abandons the read; bytes already read into its buffer stay there.</li>
 *   <li>{@link #close()} fails pending operations with {@link AsynchronousCloseException} and
 *       discards unwritten data; use {@link #shutdownOutput()} first for an orderly end.</li>
 *   <li>The socket is registered for reading and writing once, edge-triggered: a read that was
 *       told "readable" reads until "would block"; no interest changes are made per operation.</li>
 * </ul>
 * Not guaranteed: how many bytes one {@link #read} returns; that data written before
 * {@link #close()} reaches the peer.
 */
public final class AsyncTcpStream implements AutoCloseable {
    private final EventLoop loop;
    private final TcpStream socket;
    private final WriteQueue writes;
    private final Task owner;
    private Registration reg;
    private volatile boolean closed;

    private CompletableFuture<AsyncTcpStream> connecting;
    private Task connectTask;

    // The one pending read: exact == null for read(), else readExactly's future.
    private ByteBuffer readBuf;
    private CompletableFuture<Integer> readFuture;
    private CompletableFuture<Void> exactFuture;
    private Task readTask;

    /** Wraps a connected (or connecting) socket and registers it; loop thread. */
    AsyncTcpStream(EventLoop loop, TcpStream socket, Task owner, int assumedReady) {
        this.loop = loop;
        this.socket = socket;
        this.owner = owner;
        this.writes = new WriteQueue(loop);
        this.reg = loop.register(socket, Interest.READABLE.add(Interest.WRITABLE), this::onReady, this);
        reg.setReadiness(assumedReady);
        if (owner != null) {
            owner.own(this);
        }
    }

    /** Connects to {@code remote} without a time limit (the kernel's connect timeout applies). */
    public static CompletableFuture<AsyncTcpStream> connect(EventLoop loop, InetSocketAddress remote) {
        return connect(loop, remote, null);
    }

    /**
     * Connects to {@code remote}; fails with {@link TimeoutException} (and closes the socket) if
     * the connection is not established within {@code timeout} ({@code null}: no limit).
     */
    public static CompletableFuture<AsyncTcpStream> connect(EventLoop loop, InetSocketAddress remote, Duration timeout) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(remote, "remote");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            TcpStream s;
            try {
                s = TcpStream.connect(remote, loop.backend());
            } catch (IOException e) {
                return LoopCalls.failed(e);
            }
            AsyncTcpStream a;
            try {
                a = new AsyncTcpStream(loop, s, task, 0);
            } catch (RuntimeException e) {
                closeQuietly(s);
                return LoopCalls.failed(e);
            }
            if (a.closed) { // opened by a cancelled task: closed at once (Task.own)
                return LoopCalls.failed(new CancellationException(
                        "the task connecting to " + remote + " was cancelled"));
            }
            CompletableFuture<AsyncTcpStream> f = new CompletableFuture<>();
            a.connecting = f;
            a.connectTask = task;
            if (timeout != null) {
                TimerHandle timer = loop.schedule(timeout, () -> {
                    if (!f.isDone()) {
                        a.fail(f, new TimeoutException("connect to " + remote + " timed out after " + timeout), a.connectTask);
                        a.close();
                    }
                });
                f.whenComplete((v, e) -> timer.cancel());
            }
            // Completion shows as writable (or an error): wait for that event.
            return f;
        });
    }

    /** Wraps a socket accepted by {@link AsyncTcpListener}; loop thread. */
    static AsyncTcpStream accepted(EventLoop loop, TcpStream s, Task owner) {
        // A fresh connection may already hold data: try before waiting for an event.
        return new AsyncTcpStream(loop, s, owner, Readiness.READABLE | Readiness.WRITABLE);
    }

    public EventLoop loop() {
        return loop;
    }

    /** The underlying socket, for options and addresses. Do not read or write it directly. */
    public TcpStream socket() {
        return socket;
    }

    /** Sets the write water marks (bytes); defaults 32 KiB / 64 KiB. */
    public void setWriteBufferWaterMarks(int low, int high) {
        writes.waterMarks(low, high);
    }

    /** Bytes accepted by {@link #writeAll} but not yet written to the socket. Loop thread. */
    public long pendingWriteBytes() {
        return writes.queuedBytes();
    }

    // ---- reading ----

    /** Reads some bytes: completes with how many (at least 1), 0 if {@code dst} is full, -1 at EOF. */
    public CompletableFuture<Integer> read(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            if (!dst.hasRemaining() && !closed) {
                f.complete(0);
            } else if (startRead(dst, f, task)) {
                readFuture = f;
                tryRead();
            }
            return f;
        });
    }

    /** Fills {@code dst}; fails with {@link EOFException} if the peer closes first. */
    public CompletableFuture<Void> readExactly(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (!dst.hasRemaining() && !closed) {
                f.complete(null);
            } else if (startRead(dst, f, task)) {
                exactFuture = f;
                tryRead();
            }
            return f;
        });
    }

    private boolean startRead(ByteBuffer dst, CompletableFuture<?> f, Task task) {
        if (closed) {
            f.completeExceptionally(new ClosedChannelException());
            return false;
        }
        if (readBuf != null) {
            f.completeExceptionally(new ReadPendingException());
            return false;
        }
        readBuf = dst;
        readTask = task;
        return true;
    }

    /** Reads while the socket has data and a read is pending. */
    private void tryRead() {
        while (readBuf != null) {
            CompletableFuture<?> f = readFuture != null ? readFuture : exactFuture;
            if (f.isDone()) { // abandoned by its caller
                clearRead();
                return;
            }
            if ((reg.readiness() & Readiness.ANY_READ) == 0) {
                return;
            }
            int room = readBuf.remaining();
            int n;
            try {
                n = socket.read(readBuf);
            } catch (IOException e) {
                Task t = readTask;
                clearRead();
                fail(f, e, t);
                return;
            }
            if (n == 0) {
                reg.clearReadiness(Readiness.ANY_READ);
                return;
            }
            if (n > 0 && n < room && (reg.readiness() & (Readiness.READ_CLOSED | Readiness.ERROR)) == 0) {
                // A short read emptied the queue: the next bytes raise an event, so the next read
                // waits for it instead of spending a system call on "would block" (TcpStream docs).
                reg.clearReadiness(Readiness.READABLE);
            }
            if (readFuture != null) {
                CompletableFuture<Integer> rf = readFuture;
                Task t = readTask;
                clearRead();
                LoopCalls.complete(loop, t, rf, n);
                return;
            }
            if (n < 0) {
                Task t = readTask;
                int got = readBuf.position();
                clearRead();
                fail(f, new EOFException("the peer closed the connection before the buffer was full ("
                        + got + " bytes in the buffer)"), t);
                return;
            }
            if (!readBuf.hasRemaining()) {
                CompletableFuture<Void> ef = exactFuture;
                Task t = readTask;
                clearRead();
                LoopCalls.complete(loop, t, ef, null);
                return;
            }
        }
    }

    private void clearRead() {
        readBuf = null;
        readFuture = null;
        exactFuture = null;
        readTask = null;
    }

    // ---- writing ----

    /** Writes some bytes (at least 1, once the socket takes them): completes with how many. */
    public CompletableFuture<Integer> write(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            if (!src.hasRemaining()) {
                return CompletableFuture.completedFuture(0);
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            writes.addSingle(src, f, task);
            flush();
            return f;
        });
    }

    /** Writes all of {@code src}, with backpressure; see the class docs. */
    public CompletableFuture<Void> writeAll(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (writes.isEmpty() && (reg.readiness() & Readiness.ANY_WRITE) != 0) {
                try {
                    while (src.hasRemaining()) {
                        if (socket.write(src) == 0) {
                            reg.clearReadiness(Readiness.ANY_WRITE);
                            break;
                        }
                    }
                } catch (IOException e) {
                    return LoopCalls.failed(e);
                }
            }
            if (!src.hasRemaining()) {
                f.complete(null);
            } else {
                writes.addAll(src, f, task);
            }
            return f;
        });
    }

    /** After the queued writes, shuts the write half down: the peer reads end of stream. */
    public CompletableFuture<Void> shutdownOutput() {
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            writes.addShutdown(f, task);
            flush();
            return f;
        });
    }

    private void flush() {
        if (writes.isEmpty() || (reg.readiness() & Readiness.ANY_WRITE) == 0) {
            return;
        }
        try {
            if (!writes.flush(socket)) {
                reg.clearReadiness(Readiness.ANY_WRITE);
            }
        } catch (IOException e) {
            writes.failAll(e);
        }
    }

    // ---- readiness ----

    private void onReady(int flags) {
        if (connecting != null) {
            finishConnect();
            if (connecting != null || closed) {
                return;
            }
        }
        if (readBuf != null && (flags & Readiness.ANY_READ) != 0) {
            tryRead();
        }
        if ((flags & Readiness.ANY_WRITE) != 0) {
            flush();
        }
    }

    private void finishConnect() {
        CompletableFuture<AsyncTcpStream> f = connecting;
        if (f.isDone()) { // timed out or abandoned
            connecting = null;
            close();
            return;
        }
        try {
            // A peer address means connected: one call settles the usual case. Without one, the
            // socket's pending error says whether the connect failed or is still under way.
            try {
                socket.peerAddress();
            } catch (NotYetConnectedException notYet) {
                IOException error = socket.takeError();
                if (error == null) {
                    reg.clearReadiness(Readiness.ANY_WRITE); // a spurious event: still connecting
                    return;
                }
                throw error;
            }
        } catch (IOException e) {
            connecting = null;
            close();
            fail(f, e, connectTask);
            return;
        }
        connecting = null;
        // A fresh connection has room in its send buffer, whatever the event said.
        reg.setReadiness(Readiness.WRITABLE);
        LoopCalls.complete(loop, connectTask, f, this);
    }

    private void fail(CompletableFuture<?> f, Throwable e, Task task) {
        LoopCalls.fail(loop, task, f, e);
    }

    // ---- closing ----

    /** Whether {@link #close()} was called. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the socket and fails pending operations; idempotent, any thread (off the loop it is
     * handed to the loop; if the loop is closed, the loop already closed the socket).
     */
    @Override
    public void close() {
        if (!loop.inLoop()) {
            if (!loop.executeQuietly(this::close)) {
                closeQuietly(socket);
            }
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        reg.release();
        closeQuietly(socket);
        if (owner != null) {
            owner.disown(this);
        }
        if (readBuf == null && writes.isEmpty() && connecting == null) {
            return;   // nothing waits: skip the exception (its stack trace costs more than the close)
        }
        AsynchronousCloseException ace = new AsynchronousCloseException();
        if (readBuf != null) {
            CompletableFuture<?> f = readFuture != null ? readFuture : exactFuture;
            Task t = readTask;
            clearRead();
            fail(f, ace, t);
        }
        writes.failAll(ace);
        if (connecting != null) {
            CompletableFuture<AsyncTcpStream> f = connecting;
            connecting = null;
            fail(f, ace, connectTask);
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // close releases the fd even when it reports an error; nothing more to do.
        }
    }

    @Override
    public String toString() {
        return "AsyncTcpStream{" + socket + (closed ? ", closed}" : "}");
    }
}
