package io.pollen.net;

import io.pollen.net.fd.FdSocketFactory;
import io.pollen.net.nio.NioSocketFactory;
import io.pollen.net.spi.SocketFactory;
import io.pollen.net.spi.SocketImpl;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Picks the socket flavor that matches a {@link Backend}: native file descriptors for
 * {@link Backend#EPOLL}, {@link Backend#KQUEUE} and {@link Backend#IO_URING}, java.nio channels for {@link Backend#NIO}.
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
            case EPOLL, KQUEUE, IO_URING -> FdSocketFactory.INSTANCE;
        };
    }

    /** A new socket's bound address; if it cannot be read, the socket is closed (not leaked). */
    static SocketAddress localAddressOrClose(SocketImpl impl) throws IOException {
        try {
            return impl.localAddress();
        } catch (IOException | RuntimeException e) {
            try {
                impl.close();
            } catch (IOException closing) {
                e.addSuppressed(closing); // the first failure is the one to report
            }
            throw e;
        }
    }

    /** Checks an {@code IP_TTL} value against the range every platform accepts. */
    static int ttl(int ttl) {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 1..255: " + ttl);
        }
        return ttl;
    }

    /** Checks an {@code SO_SNDBUF} / {@code SO_RCVBUF} hint. */
    static int bufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("buffer size must be > 0: " + bytes);
        }
        return bytes;
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
