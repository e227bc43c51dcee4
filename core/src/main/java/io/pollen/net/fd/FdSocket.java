package io.pollen.net.fd;

import io.pollen.net.PeerCredentials;
import io.pollen.net.UnixSocketAddress;
import io.pollen.net.spi.Options;
import io.pollen.net.spi.SocketImpl;
import io.pollen.poll.Interest;
import io.pollen.poll.Registry;
import io.pollen.poll.Source;
import io.pollen.poll.SourceFd;
import io.pollen.poll.Token;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.RegistryAccess;
import io.pollen.sys.unix.PeerCreds;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.UnixNet;
import io.pollen.sys.bsd.KQueue;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the three fd socket kinds share: the fd and its family, the close protocol, the local
 * address and socket options.
 *
 * <h2>Closing exactly once</h2>
 * One atomic word holds a "closed" bit and the number of calls in flight. Every operation enters
 * with {@link #begin()} (which throws {@link ClosedChannelException} once closed) and leaves with
 * {@link #end()}. {@link #close()} sets the bit; the fd is closed by {@code close} itself if
 * nothing is in flight, otherwise by the last operation to leave. So the fd is closed exactly once,
 * and never while a call still uses its number (which the kernel could by then have handed to a
 * new socket).
 *
 * <p>Not guaranteed: closing an fd removes it from every epoll set, but the public socket types
 * deregister first so that the Poll's bookkeeping stays right; a {@link SourceFd} kept after close
 * names a number the kernel may reuse.
 */
abstract class FdSocket implements SocketImpl {
    private static final int CLOSED = 1;
    private static final int ONE = 2;

    /** This OS's socket numbering, for the subclasses too. */
    static final SocketAbi ABI = SocketAbi.CURRENT;

    final int fd;
    /** {@link SocketAbi#AF_INET}, {@link SocketAbi#AF_INET6} or {@link SocketAbi#AF_UNIX} (of {@link #ABI}). */
    final int family;
    private final SourceFd source;
    private final AtomicInteger state = new AtomicInteger();

    FdSocket(int fd, int family) {
        this.fd = fd;
        this.family = family;
        this.source = new SourceFd(fd);
    }

    /** Enters an operation; returns the fd. */
    final int begin() throws ClosedChannelException {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
        } while (!state.compareAndSet(s, s + ONE));
        return fd;
    }

    /** Leaves an operation; closes the fd if a close came meanwhile and this was the last one out. */
    final void end() {
        if (state.addAndGet(-ONE) == CLOSED) {
            closeQuietly();
        }
    }

    @Override
    public Source source() {
        return source;
    }

    /**
     * Registers with a native selector; a stream or a listener takes the I/O a completion driver
     * offers for it ({@link FdStream}, {@link FdListener}). Called by {@link HookedSource}.
     */
    void attach(FdSelector selector, long token, int interest) throws IOException {
        selector.register(fd, token, interest);
    }

    /** Deregistered: drops what {@link #attach} took. */
    void detach() {
    }

    /**
     * The source of a TCP socket that a completion driver may serve: registers through
     * {@link #attach} where the registry's selector is a native one, as a plain {@link SourceFd}
     * otherwise (Unix sockets stay plain).
     */
    final class HookedSource implements Source {
        private final SourceFd plain = new SourceFd(fd);

        @Override
        public void register(Registry registry, Token token, Interest interest) throws IOException {
            if (family != ABI.AF_UNIX && RegistryAccess.selector(registry) instanceof FdSelector fs) {
                attach(fs, token.value(), interestBits(interest));
            } else {
                plain.register(registry, token, interest);
            }
        }

        @Override
        public void reregister(Registry registry, Token token, Interest interest) throws IOException {
            plain.reregister(registry, token, interest);
        }

        @Override
        public void deregister(Registry registry) throws IOException {
            try {
                plain.deregister(registry);
            } finally {
                detach();
            }
        }
    }

    /** {@code Interest} as the SPI's bits (its own accessor is package-private to io.pollen.poll). */
    private static int interestBits(Interest i) {
        return (i.isReadable() ? Ready.INTEREST_READABLE : 0) | (i.isWritable() ? Ready.INTEREST_WRITABLE : 0)
                | (i.isPriority() ? Ready.INTEREST_PRIORITY : 0);
    }

    @Override
    public void close() throws IOException {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        if (s == 0) {
            KQueue.forgetConsumedError(fd); // its number may be reused by any socket, on any backend
            Unistd.close(fd);
        }
    }

    private void closeQuietly() {
        try {
            KQueue.forgetConsumedError(fd);
            Unistd.close(fd);
        } catch (IOException ignored) {
            // The fd is released whatever close reports; the caller's operation has its own result.
        }
    }

    @Override
    public final boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        int f = begin();
        try {
            return address(f, false);
        } finally {
            end();
        }
    }

    /** getsockname / getpeername, decoded for this socket's family; call between begin and end. */
    final SocketAddress address(int f, boolean peer) throws IOException {
        if (family == ABI.AF_UNIX) {
            return UnixSocketAddress.fromSunPath(UnixNet.name(f, peer));
        }
        return peer ? Net.getpeername(f) : Net.getsockname(f);
    }

    /** The options this kind of socket takes. */
    abstract Set<SocketOption<?>> options();

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(value, "value");
        check(option);
        if (option == Options.PEER_CREDENTIALS) {
            throw new UnsupportedOperationException("peer credentials are read-only");
        }
        int f = begin();
        try {
            if (option == StandardSocketOptions.SO_LINGER) {
                Net.setLinger(f, (Integer) value);
            } else if (option == Options.IP_TTL) {
                int ttl = (Integer) value;
                if (ttl < 1 || ttl > 255) {
                    throw new IllegalArgumentException("TTL must be in 1..255: " + ttl);
                }
                if (family == ABI.AF_INET6) {
                    Net.setInt(f, ABI.IPPROTO_IPV6, ABI.IPV6_UNICAST_HOPS, ttl);
                    try {
                        // A dual-stack socket also sends IPv4(-mapped) packets, which use IP_TTL.
                        Net.setInt(f, ABI.IPPROTO_IP, ABI.IP_TTL, ttl);
                    } catch (IOException ignored) {
                        // IPv6-only sockets refuse it; they never send IPv4.
                    }
                } else {
                    Net.setInt(f, ABI.IPPROTO_IP, ABI.IP_TTL, ttl);
                }
            } else if (value instanceof Boolean b) {
                Net.setInt(f, level(option), name(option), b ? 1 : 0);
            } else {
                int v = (Integer) value;
                if (v < 0) {
                    throw new IllegalArgumentException(option.name() + " must be >= 0: " + v);
                }
                Net.setInt(f, level(option), name(option), v);
            }
        } finally {
            end();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> option) throws IOException {
        check(option);
        int f = begin();
        try {
            if (option == StandardSocketOptions.SO_LINGER) {
                return (T) Integer.valueOf(Net.getLinger(f));
            }
            if (option == Options.PEER_CREDENTIALS) {
                long[] c = PeerCreds.of(f);
                return (T) new PeerCredentials(c[0], c[1], c[2]);
            }
            if (option == Options.IP_TTL) {
                return family == ABI.AF_INET6
                        ? (T) Integer.valueOf(Net.getInt(f, ABI.IPPROTO_IPV6, ABI.IPV6_UNICAST_HOPS))
                        : (T) Integer.valueOf(Net.getInt(f, ABI.IPPROTO_IP, ABI.IP_TTL));
            }
            int v = Net.getInt(f, level(option), name(option));
            return option.type() == Boolean.class ? (T) Boolean.valueOf(v != 0) : (T) Integer.valueOf(v);
        } finally {
            end();
        }
    }

    private void check(SocketOption<?> option) {
        Objects.requireNonNull(option, "option");
        if (!options().contains(option)) {
            throw new UnsupportedOperationException("option " + option.name() + " is not supported by "
                    + getClass().getSimpleName() + " (supported: " + options() + ")");
        }
    }

    private static int level(SocketOption<?> option) {
        return option == StandardSocketOptions.TCP_NODELAY ? ABI.IPPROTO_TCP : ABI.SOL_SOCKET;
    }

    private static int name(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return ABI.TCP_NODELAY;
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return ABI.SO_REUSEADDR;
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return ABI.SO_REUSEPORT;
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return ABI.SO_KEEPALIVE;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return ABI.SO_SNDBUF;
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return ABI.SO_RCVBUF;
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            return ABI.SO_BROADCAST;
        }
        throw new UnsupportedOperationException(option.name());
    }

    @Override
    public String toString() {
        String f = family == ABI.AF_INET6 ? ", inet6" : family == ABI.AF_UNIX ? ", unix" : family == 0 ? "" : ", inet";
        return getClass().getSimpleName() + "{fd=" + fd + f
                + (isOpen() ? "}" : ", closed}");
    }
}
