package io.pollen.runtime;

import io.pollen.net.StreamSocket;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link AsyncTcpStream} and {@link AsyncUnixStream} share: a connected byte stream driven by
 * an {@link EventLoop}, whose operations return futures completed on the loop. Protocol code (an
 * HTTP client, an echo) written against this type runs over TCP and Unix sockets alike. The
 * semantics (one read at a time, ordered writes, {@link #writeAll} backpressure) are
 * {@link AsyncTcpStream}'s.
 */
public interface AsyncStream extends AutoCloseable {

    EventLoop loop();

    /** The underlying socket, for addresses and options. Do not read or write it directly. */
    StreamSocket socket();

    /** Reads some bytes: how many (at least 1), 0 if {@code dst} is full, -1 at end of stream. */
    CompletableFuture<Integer> read(ByteBuffer dst);

    /** Fills {@code dst}; fails with {@link java.io.EOFException} if the peer closes first. */
    CompletableFuture<Void> readExactly(ByteBuffer dst);

    /** Writes some bytes (at least 1, once the socket takes them). */
    CompletableFuture<Integer> write(ByteBuffer src);

    /** Writes all of {@code src}, with backpressure. */
    CompletableFuture<Void> writeAll(ByteBuffer src);

    /** After the queued writes, shuts the write half down. */
    CompletableFuture<Void> shutdownOutput();

    /** Sets the write water marks of {@link #writeAll}'s backpressure. */
    void setWriteBufferWaterMarks(int low, int high);

    /** Bytes accepted by {@link #writeAll} but not yet written. Loop thread. */
    long pendingWriteBytes();

    /** Whether {@link #close()} was called. */
    boolean isOpen();

    /** Closes the socket and fails pending operations; idempotent, any thread. */
    @Override
    void close();
}
