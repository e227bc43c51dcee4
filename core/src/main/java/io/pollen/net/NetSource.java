package io.pollen.net;

import io.pollen.net.spi.HandleImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Registry;
import io.pollen.poll.Source;
import io.pollen.poll.Token;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * What every public I/O type of this package is: a {@link Source} around one {@link HandleImpl}
 * (a native fd or a java.nio channel, as the backend's flavor asks), opened for one
 * {@link Backend}, registering through a {@link FlavorSource}, closed by closing the handle. The
 * socket types ({@link TcpStream}, {@link UnixStream}, {@link TcpListener}, {@link UnixListener},
 * {@link UdpSocket}, {@link UnixDatagram}) and the two ends of a {@link Pipe} extend it and keep
 * only what is their own: factories, I/O, addresses and options. So they register, close, name
 * their backend and print themselves in one way and cannot drift apart.
 *
 * <p>Package-private on purpose: it is not an API of its own. Its public methods are part of each
 * public subclass's API (javac gives the subclass public access bridges for them, and javadoc shows
 * them on the subclass), so their docs here are written for every subclass.
 *
 * <p>Guaranteed, for every subclass:
 * <ul>
 *   <li>Registering with a Poll of the other socket flavor (a native-fd socket with a nio Poll,
 *       or the reverse) throws {@link IllegalArgumentException} naming the type and both
 *       backends.</li>
 *   <li>Registering with a second Poll while registered with an open one throws
 *       {@link IllegalStateException}: a source belongs to one Poll at a time.</li>
 *   <li>{@link #close()} is idempotent.</li>
 *   <li>{@link #toString()} is {@code Type{backend[, address][, closed]}}.</li>
 * </ul>
 * Not guaranteed: thread-safety beyond the registry's (the I/O methods of each subclass are for
 * one thread at a time).
 *
 * @param <H> the flavor-neutral handle the subclass drives ({@code StreamImpl}, {@code ListenerImpl},
 *            {@code DatagramImpl}, {@code PipeImpl})
 */
abstract sealed class NetSource<H extends HandleImpl> implements Source, Closeable
        permits BufferSizedSocket, TcpListener, UnixListener, UnixDatagram, Pipe.Sender, Pipe.Receiver {
    /** The socket or pipe end of the backend's flavor; every I/O call of the subclass goes to it. */
    final H impl;
    private final Backend backend;
    private final FlavorSource source;

    /**
     * @param type    the name that refusals of a wrong Poll give, e.g. {@code "TcpStream"}
     * @param impl    the handle, of {@code backend}'s flavor
     * @param backend the backend whose Polls this registers with
     */
    NetSource(String type, H impl, Backend backend) {
        this.impl = impl;
        this.backend = backend;
        this.source = new FlavorSource(type, backend, impl.source());
    }

    // ---- Source ----

    /**
     * Via {@link Registry#register}; refuses a Poll of the other socket flavor
     * ({@link IllegalArgumentException}) and a second Poll while this is registered with an open
     * one ({@link IllegalStateException}).
     */
    @Override
    public void register(Registry registry, Token token, Interest interest) throws IOException {
        source.register(registry, token, interest);
    }

    /** Via {@link Registry#reregister}; refuses a Poll of the other socket flavor. */
    @Override
    public void reregister(Registry registry, Token token, Interest interest) throws IOException {
        source.reregister(registry, token, interest);
    }

    /**
     * Via {@link Registry#deregister}; refuses a Poll of the other socket flavor. Deregister before
     * {@link #close() close()}: on the native backends a closed fd cannot be deregistered.
     */
    @Override
    public void deregister(Registry registry) throws IOException {
        source.deregister(registry);
    }

    // ---- lifecycle ----

    /**
     * The backend whose Polls this registers with (for a listener, also the backend of the streams
     * it accepts).
     */
    public Backend backend() {
        return backend;
    }

    /**
     * Closes the socket (or this end of a pipe); idempotent. Deregister it first: on the native
     * backends a closed fd cannot be deregistered (its number may already be reused). Closing a
     * listener resets the connections it has not accepted yet; closing a pipe's receiver makes its
     * sender's writes fail. {@link UnixListener} and {@link UnixDatagram} also remove their socket
     * file (see theirs).
     */
    @Override
    public void close() throws IOException {
        impl.close();
    }

    /**
     * Whether {@link #close() close()} has not been called. It is also false for a socket the JDK
     * closed by itself (on nio, a {@link TcpStream} whose connect failed). Not a liveness check of
     * the peer, nor whether the OS still holds a bound port or socket file.
     */
    public boolean isOpen() {
        return impl.isOpen();
    }

    /** The address {@link #toString()} shows after the backend, or {@code null} to show none. */
    SocketAddress shownAddress() {
        return null;
    }

    /** {@code Type{backend[, address][, closed]}}, e.g. {@code TcpListener{epoll, /127.0.0.1:8080}}. */
    @Override
    public String toString() {
        // The simple name is what each type printed before the fold (a pipe end prints "Sender{...}").
        SocketAddress address = shownAddress();
        return getClass().getSimpleName() + '{' + backend.id() + (address == null ? "" : ", " + address)
                + (isOpen() ? "" : ", closed") + '}';
    }
}
