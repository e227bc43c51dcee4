package io.pollen.net;

import io.pollen.net.spi.SocketImpl;
import io.pollen.poll.Backend;

import java.io.IOException;

/**
 * A socket of this package: a {@link NetSource} around one {@link SocketImpl} of the backend's
 * flavor (a native fd or a java.nio channel), which it closes and asks whether it is open. The
 * public socket types extend it and add only what is their own: factories, I/O, addresses and
 * options.
 *
 * <p>Package-private: its public methods belong to each public subclass's API (see
 * {@link NetSource}). {@link UnixListener} and {@link UnixDatagram} override {@link #close()} to
 * also remove their socket file.
 *
 * @param <I> the flavor-neutral socket the subclass drives ({@code StreamImpl},
 *            {@code ListenerImpl}, {@code DatagramImpl})
 */
abstract sealed class NetSocket<I extends SocketImpl> extends NetSource
        permits BufferSizedSocket, TcpListener, UnixListener, UnixDatagram {
    /** The socket of the backend's flavor; every I/O call of the subclass goes to it. */
    final I impl;

    /**
     * @param type the public type's name, for the refusal of a Poll of the other flavor
     */
    NetSocket(String type, I impl, Backend backend) {
        super(type, backend, impl.source());
        this.impl = impl;
    }

    /**
     * Closes the socket; idempotent. Deregister it first: on the native backends a closed fd
     * cannot be deregistered (its number may already be reused). Closing a listener resets the
     * connections it has not accepted yet.
     */
    @Override
    public void close() throws IOException {
        impl.close();
    }

    @Override
    public boolean isOpen() {
        return impl.isOpen();
    }
}
