package io.pollen.runtime;

import io.pollen.net.UnixSocketAddress;
import io.pollen.net.UnixStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A Unix domain stream driven by an {@link EventLoop}: {@link AsyncTcpStream}'s API and semantics
 * (one read at a time, writes queued in order, {@link #writeAll} backpressure with water marks,
 * futures completed on the loop, virtual threads may {@code join()} them) over a
 * {@link UnixStream}. The machinery is AsyncTcpStream's own, driving the Unix socket: the two
 * cannot drift apart.
 *
 * <pre>{@code
 * AsyncUnixStream s = AsyncUnixStream.connect(loop, UnixSocketAddress.of(Path.of("/run/app.sock"))).join();
 * s.writeAll(request).join();          // from a virtual thread: parks, no carrier pinned
 * }</pre>
 *
 * Differences from TCP: {@link #connect} completes at once (or fails at once with
 * {@code ENOENT} / {@code ECONNREFUSED}): a Unix connect never waits for a handshake.
 */
public final class AsyncUnixStream implements AsyncStream {
    private final AsyncTcpStream engine;
    private final UnixStream socket;

    AsyncUnixStream(AsyncTcpStream engine, UnixStream socket) {
        this.engine = engine;
        this.socket = socket;
    }

    /** Connects to the socket file at {@code path}. */
    public static CompletableFuture<AsyncUnixStream> connect(EventLoop loop, Path path) {
        return connect(loop, UnixSocketAddress.of(path));
    }

    /** Connects to {@code address} (a path, or on Linux native backends an abstract name). */
    public static CompletableFuture<AsyncUnixStream> connect(EventLoop loop, UnixSocketAddress address) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(address, "address");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            UnixStream s;
            try {
                s = UnixStream.connect(address, loop.backend());
            } catch (IOException | RuntimeException e) {
                return LoopCalls.failed(e);
            }
            AsyncTcpStream a;
            try {
                a = AsyncTcpStream.accepted(loop, s, task);   // connected already: readable and writable may hold
            } catch (RuntimeException e) {
                AsyncTcpStream.closeQuietly(s);
                return LoopCalls.failed(e);
            }
            if (!a.isOpen()) { // opened by a cancelled task: closed at once (Task.own)
                return LoopCalls.failed(new CancellationException("the task connecting to " + address + " was cancelled"));
            }
            return CompletableFuture.completedFuture(new AsyncUnixStream(a, s));
        });
    }

    public EventLoop loop() {
        return engine.loop();
    }

    /** The underlying socket, for addresses and peer credentials. Do not read or write it directly. */
    public UnixStream socket() {
        return socket;
    }

    /** As {@link AsyncTcpStream#setWriteBufferWaterMarks}. */
    public void setWriteBufferWaterMarks(int low, int high) {
        engine.setWriteBufferWaterMarks(low, high);
    }

    /** Bytes accepted by {@link #writeAll} but not yet written. Loop thread. */
    public long pendingWriteBytes() {
        return engine.pendingWriteBytes();
    }

    /** Reads some bytes: how many (at least 1), 0 if {@code dst} is full, -1 at end of stream. */
    public CompletableFuture<Integer> read(ByteBuffer dst) {
        return engine.read(dst);
    }

    /** Fills {@code dst}; fails with {@link java.io.EOFException} if the peer closes first. */
    public CompletableFuture<Void> readExactly(ByteBuffer dst) {
        return engine.readExactly(dst);
    }

    /** Writes some bytes (at least 1, once the socket takes them). */
    public CompletableFuture<Integer> write(ByteBuffer src) {
        return engine.write(src);
    }

    /** Writes all of {@code src}, with backpressure (see {@link AsyncTcpStream}). */
    public CompletableFuture<Void> writeAll(ByteBuffer src) {
        return engine.writeAll(src);
    }

    /** After the queued writes, shuts the write half down: the peer reads end of stream. */
    public CompletableFuture<Void> shutdownOutput() {
        return engine.shutdownOutput();
    }

    /** Whether {@link #close()} was called. */
    public boolean isOpen() {
        return engine.isOpen();
    }

    /** Closes the socket and fails pending operations; idempotent, any thread. */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "AsyncUnixStream{" + socket + (isOpen() ? "}" : ", closed}");
    }
}
