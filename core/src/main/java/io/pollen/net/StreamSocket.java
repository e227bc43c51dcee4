package io.pollen.net;

import io.pollen.poll.Backend;
import io.pollen.poll.Source;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What {@link TcpStream} and {@link UnixStream} share: a connected, non-blocking byte stream that
 * registers with a {@link io.pollen.poll.Poll}. Code that only moves bytes (the runtime's async
 * streams, an echo loop) takes this type and works over TCP and Unix sockets alike.
 *
 * <p>The conventions are {@link TcpStream}'s: reads return the bytes read, {@code -1} at end of
 * stream and {@code 0} when they would block; writes return {@code 0} when they would block;
 * readiness is edge-triggered. Not thread-safe.
 */
public interface StreamSocket extends Source, Closeable {

    /** Reads into {@code dst}: bytes read, {@code -1} at end of stream, {@code 0} if it would block. */
    int read(ByteBuffer dst) throws IOException;

    /** Scattering read; same convention. */
    long read(ByteBuffer[] dsts) throws IOException;

    /** Reads without consuming; same convention. */
    int peek(ByteBuffer dst) throws IOException;

    /** Writes from {@code src}: bytes written, {@code 0} if it would block. */
    int write(ByteBuffer src) throws IOException;

    /** Gathering write; same convention. */
    long write(ByteBuffer[] srcs) throws IOException;

    /** Shuts down one or both halves; the socket stays open. */
    void shutdown(Shutdown how) throws IOException;

    /** The pending socket error (cleared by reading it), or {@code null}. */
    IOException takeError() throws IOException;

    /** The local address. */
    SocketAddress localAddress() throws IOException;

    /** The peer's address. */
    SocketAddress peerAddress() throws IOException;

    /** The backend whose Polls this stream registers with. */
    Backend backend();

    /** Whether {@link #close()} has not been called. */
    boolean isOpen();
}
