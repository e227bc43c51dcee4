package io.pollen.runtime;

import io.pollen.net.StreamSocket;
import io.pollen.net.TcpStream;
import io.pollen.poll.Interest;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadPendingException;
import java.time.Duration;
import java.util.Objects;
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
public final class AsyncTcpStream extends AsyncSource<StreamSocket> implements AsyncStream {
    /** Writes not yet taken by the socket, in call order. */
    private final WriteQueue writes;
    /** The pending connect's future, until the connect settles (see {@link TcpConnect}). */
    CompletableFuture<AsyncTcpStream> connecting;
    /** The task that connects. */
    Task connectTask;
    /** The one pending read's buffer, or null. */
    private ByteBuffer readBuf;
    /** read()'s future, when the pending read is one. */
    private CompletableFuture<Integer> readFuture;
    /** readExactly()'s future, when the pending read is one. */
    private CompletableFuture<Void> exactFuture;
    /** The task that reads. */
    private Task readTask;

    /** Wraps a connected (or connecting) socket and registers it; loop thread. */
    AsyncTcpStream(EventLoop loop, StreamSocket socket, Task owner, int assumedReady) {
        super(loop, socket, owner);
        this.writes = new WriteQueue(loop);
        register(Interest.READABLE.add(Interest.WRITABLE), assumedReady);
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
        return TcpConnect.start(loop, remote, timeout);
    }

    /** Wraps a socket accepted by {@link AsyncTcpListener}; loop thread. */
    static AsyncTcpStream accepted(EventLoop loop, StreamSocket s, Task owner) {
        // A fresh connection may already hold data: try before waiting for an event.
        return new AsyncTcpStream(loop, s, owner, Readiness.READABLE | Readiness.WRITABLE);
    }

    /** The underlying socket, for options and addresses. Do not read or write it directly. */
    public TcpStream socket() {
        return (TcpStream) socket;   // AsyncUnixStream, which drives a UnixStream here, never calls this
    }

    /** The socket of either family this stream drives (AsyncUnixStream's is a UnixStream). */
    StreamSocket stream() {
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

    /**
     * Reads until the peer ends the stream (reads return -1) and completes with every byte read:
     * the chapter's {@code read_to_string}, for a response sent with {@code Connection: close}.
     * Fails with an {@link IOException} once more than {@code maxBytes} arrive (the bound on what
     * it buffers), and with the read's failure if one fails. A read from this stream must not be
     * pending; none may be started until this completes.
     */
    public CompletableFuture<byte[]> readToEnd(int maxBytes) {
        return StreamReads.toEnd(this, maxBytes);
    }

    /**
     * Reads until {@code dst} is full or the peer ends the stream, and completes with how many bytes
     * were read: fewer than {@code dst} had room for only at the end of the stream, and -1 if the
     * stream ended before the first byte. Unlike {@link #readExactly}, the end of the stream is an
     * answer, not a failure. The same rules as {@link #read} otherwise.
     */
    public CompletableFuture<Integer> readFully(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        return StreamReads.fully(this, dst);
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
            if (!isReady(Readiness.ANY_READ)) {
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
                notReady(Readiness.ANY_READ);
                return;
            }
            if (n > 0 && n < room && !isReady(Readiness.READ_CLOSED | Readiness.ERROR)) {
                // A short read emptied the queue: the next bytes raise an event, so the next read
                // waits for it instead of spending a system call on "would block" (TcpStream docs).
                notReady(Readiness.READABLE);
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
            if (writes.isEmpty() && isReady(Readiness.ANY_WRITE)) {
                try {
                    while (src.hasRemaining()) {
                        if (socket.write(src) == 0) {
                            notReady(Readiness.ANY_WRITE);
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
        if (writes.isEmpty() || !isReady(Readiness.ANY_WRITE)) {
            return;
        }
        try {
            if (!writes.flush(socket)) {
                notReady(Readiness.ANY_WRITE);
            }
        } catch (IOException e) {
            writes.failAll(e);
        }
    }

    // ---- readiness ----

    @Override
    void onReady(int flags) {
        if (connecting != null) {
            TcpConnect.finish(this);
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

    void fail(CompletableFuture<?> f, Throwable e, Task task) {
        LoopCalls.fail(loop, task, f, e);
    }

    // ---- closing ----

    @Override
    void failPending() {
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

    @Override
    public String toString() {
        return "AsyncTcpStream{" + socket + (closed ? ", closed}" : "}");
    }
}
