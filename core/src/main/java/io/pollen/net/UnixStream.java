package io.pollen.net;

import io.pollen.net.spi.Options;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A non-blocking Unix domain stream socket ({@code AF_UNIX, SOCK_STREAM}) that registers with a
 * {@link io.pollen.poll.Poll}; mio's {@code UnixStream}. Made by {@link #connect},
 * {@link UnixListener#accept()} or {@link #pair}.
 *
 * <h2>Conventions</h2>
 * The I/O conventions are {@link TcpStream}'s (see {@link StreamSocket}): nothing blocks, {@code -1}
 * is end of stream, {@code 0} is "would block", readiness is edge-triggered, a short read may end
 * a round. Unlike TCP, a Unix connect completes (or fails) inside {@link #connect}: a missing
 * socket file throws {@code connect failed: ENOENT}, a file nobody listens on
 * {@code ECONNREFUSED}, and on Linux a full accept queue {@code EAGAIN}; the stream is writable at
 * once. Bytes arrive in order and are never lost while both ends are open.
 *
 * <h2>Differences between backends</h2>
 * <table>
 *   <caption>What changes with the socket flavor</caption>
 *   <tr><th></th><th>EPOLL / KQUEUE (native fd)</th><th>NIO (java.nio channel)</th></tr>
 *   <tr><td>socket files</td><td>yes</td><td>yes ({@link java.net.UnixDomainSocketAddress})</td></tr>
 *   <tr><td>Linux abstract names</td><td>yes (Linux)</td><td>{@link UnsupportedOperationException}</td></tr>
 *   <tr><td>{@link #pair}</td><td>{@code socketpair}</td><td>{@link UnsupportedOperationException}</td></tr>
 *   <tr><td>{@link #peerCredentials}</td><td>{@code SO_PEERCRED} (Linux), {@code getpeereid} (macOS, FreeBSD)</td>
 *       <td>{@link UnsupportedOperationException}</td></tr>
 *   <tr><td>{@link #peek(ByteBuffer) peek(ByteBuffer)}</td><td>{@code MSG_PEEK}</td>
 *       <td>emulated with a buffer in the stream</td></tr>
 * </table>
 *
 * <p><b>Not guaranteed:</b> how many bytes one read or write moves; that the peer read what a
 * returned write buffered.
 */
public final class UnixStream extends NetStream implements StreamSocket {
    UnixStream(StreamImpl impl, Backend backend) {
        super("UnixStream", impl, backend);
    }

    /** Connects to the socket file at {@code path}, for {@link Backend#select()}. */
    public static UnixStream connect(Path path) throws IOException {
        return connect(UnixSocketAddress.of(path), Backend.select());
    }

    /**
     * Connects to {@code address} (a path, or on Linux native backends an abstract name); the
     * stream registers with Polls of {@code backend}.
     */
    public static UnixStream connect(UnixSocketAddress address, Backend backend) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(backend, "backend");
        return new UnixStream(Sockets.factory(backend).connect(address), backend);
    }

    /**
     * Two connected, unnamed streams ({@code socketpair}): what one writes the other reads.
     *
     * @throws UnsupportedOperationException on the nio backend (java.nio has no socketpair)
     */
    public static UnixStream[] pair(Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        StreamImpl[] p = Sockets.factory(backend).streamPair();
        return new UnixStream[] {new UnixStream(p[0], backend), new UnixStream(p[1], backend)};
    }

    // ---- addresses and credentials (I/O and buffer sizes are inherited from NetStream) ----

    /** The local address: unnamed for a connecting client and for pairs; the listener's path when accepted. */
    @Override
    public UnixSocketAddress localAddress() throws IOException {
        return (UnixSocketAddress) impl.localAddress();
    }

    /** The peer's address: the listener's path for a client, usually unnamed for an accepted stream. */
    @Override
    public UnixSocketAddress peerAddress() throws IOException {
        return (UnixSocketAddress) impl.peerAddress();
    }

    /**
     * The peer process's credentials as the kernel recorded them at connect: {@code SO_PEERCRED} on
     * Linux, {@code getpeereid} on macOS and FreeBSD (see {@link PeerCredentials} for the pid).
     *
     * @throws UnsupportedOperationException on the nio backend
     */
    public PeerCredentials peerCredentials() throws IOException {
        return impl.getOption(Options.PEER_CREDENTIALS);
    }
}
