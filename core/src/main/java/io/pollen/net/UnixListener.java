package io.pollen.net;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A non-blocking listening Unix domain stream socket that registers with a
 * {@link io.pollen.poll.Poll}; mio's {@code UnixListener}.
 *
 * <pre>{@code
 * UnixListener listener = UnixListener.bind(UnixSocketAddress.of(dir.resolve("app.sock")), poll.backend());
 * poll.registry().register(listener, SERVER, Interest.READABLE);
 * // on a readable event: accept until null
 * }</pre>
 *
 * <h2>The socket file</h2>
 * <ul>
 *   <li>{@link #bind} creates the file; if a file (a stale socket, anything) is already at the path,
 *       bind fails with {@code EADDRINUSE} (native) or a {@link java.net.BindException} (nio). It is
 *       never removed for you: only the caller knows whether an old socket is stale.</li>
 *   <li>{@link #close()} removes the file, but only if the path still names the file this listener
 *       created (same device and inode): a file another process has bound there since is left
 *       alone. A process that dies without closing leaves the file behind (the kernel does not
 *       remove it).</li>
 *   <li>Abstract names (Linux, native backends) have no file; nothing is created or removed.</li>
 *   <li>The path must fit {@code sun_path}: {@link UnixSocketAddress#maxPathBytes()} bytes.</li>
 * </ul>
 * A readable event means connections may be pending: {@link #accept()} until it returns
 * {@code null}. Accepted streams are non-blocking, close-on-exec (native) and of the same backend.
 * <b>Not guaranteed:</b> the accept order; that an accepted peer is still connected.
 */
public final class UnixListener extends NetSource<ListenerImpl> implements StreamListener {
    private final UnixSocketAddress localAddress;
    private final SocketFile file;

    private UnixListener(ListenerImpl impl, Backend backend, UnixSocketAddress address) {
        super("UnixListener", impl, backend);
        this.localAddress = address;
        this.file = SocketFile.of(address);
    }

    /** Binds a socket file at {@code path} for {@link Backend#select()}. */
    public static UnixListener bind(Path path) throws IOException {
        return bind(UnixSocketAddress.of(path), Backend.select());
    }

    /** Binds {@code address} for Polls of {@code backend}, with {@link TcpListener#DEFAULT_BACKLOG}. */
    public static UnixListener bind(UnixSocketAddress address, Backend backend) throws IOException {
        return bind(address, backend, TcpListener.DEFAULT_BACKLOG);
    }

    /**
     * Binds and listens.
     *
     * @param backlog the accept queue length, {@code > 0} (Linux caps it at {@code somaxconn})
     */
    public static UnixListener bind(UnixSocketAddress address, Backend backend, int backlog) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(backend, "backend");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
        }
        return new UnixListener(Sockets.factory(backend).listen(address, backlog, false), backend, address);
    }

    /** Accepts one pending connection, or returns {@code null} if none is pending (would block). */
    @Override
    public UnixStream accept() throws IOException {
        StreamImpl s = impl.accept();
        return s == null ? null : new UnixStream(s, backend());
    }

    /** The address this listener was bound to. */
    @Override
    public UnixSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Stops listening and removes the socket file if it is still this listener's (see the class
     * docs); idempotent. Pending, unaccepted connections are reset. Deregister first.
     */
    @Override
    public void close() throws IOException {
        SocketFile.close(impl, file);
    }

    @Override
    UnixSocketAddress shownAddress() {
        return localAddress;
    }
}
