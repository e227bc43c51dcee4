package io.pollen.net;

import io.pollen.net.fd.FdSocketFactory;
import io.pollen.net.nio.NioSocketFactory;
import io.pollen.net.spi.SocketFactory;
import io.pollen.poll.Backend;
import io.pollen.poll.Registry;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Picks the socket flavor that matches a {@link Backend}: native file descriptors for
 * {@link Backend#EPOLL} and {@link Backend#KQUEUE}, java.nio channels for {@link Backend#NIO}.
 *
 * <p>Most code never needs this: {@link TcpListener}, {@link TcpStream} and {@link UdpSocket} call
 * it. It is public for layers (the runtime, benchmarks) that drive the socket SPI directly.
 */
public final class Sockets {
    private Sockets() {
    }

    /** The factory for sockets that register with a Poll of {@code backend}. */
    public static SocketFactory factory(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        return switch (backend) {
            case NIO -> NioSocketFactory.INSTANCE;
            case EPOLL, KQUEUE -> FdSocketFactory.INSTANCE;
        };
    }

    /** Refuses to register a socket with a Poll of the other flavor, naming both. */
    static void checkBackend(String type, Backend socket, Registry registry) {
        Backend poll = registry.backend();
        if (socket.nativeSockets() != poll.nativeSockets()) {
            throw new IllegalArgumentException(type + " opened for " + socket.id() + " cannot register with a "
                    + poll.id() + " Poll; open it with Backend." + poll.name() + " (or the Poll's backend())");
        }
    }

    /** Pollen never blocks on DNS: addresses must be resolved before they reach a socket. */
    static InetSocketAddress resolved(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + address
                    + ": resolve it first (new InetSocketAddress(InetAddress.getByName(host), port)); sockets never block on DNS");
        }
        return address;
    }
}
