package io.pollen.net.fd;

import io.pollen.net.UnixSocketAddress;
import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.PipeImpl;
import io.pollen.net.spi.SocketFactory;
import io.pollen.net.spi.StreamImpl;
import io.pollen.sys.unix.FdOpen;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.SockAddr;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.UnixNet;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Sockets as native file descriptors, driven through FFM: the flavor for the epoll, kqueue and
 * io_uring backends. {@code io.pollen.net.Sockets#factory} hands this out for those backends.
 *
 * <p>Every socket is created non-blocking and close-on-exec ({@link FdOpen}: at birth on Linux and
 * FreeBSD, by {@code fcntl} right after on macOS), with the numbers of this OS's
 * {@link SocketAbi}. The family follows the address:
 * an IPv4 address gives an AF_INET socket, an IPv6 one an AF_INET6 socket; binding {@code ::} gives
 * a dual-stack socket ({@code IPV6_V6ONLY=0}, set on every IPv6 socket that binds: FreeBSD's default is 1) that also serves IPv4 peers, whose
 * addresses then appear as plain {@link java.net.Inet4Address}es. If a step after {@code socket}
 * fails, the fd is closed before the exception leaves.
 *
 * <p>A {@link UnixSocketAddress} opens an {@code AF_UNIX} socket: its connect completes (or fails:
 * {@code ENOENT}, {@code ECONNREFUSED}) at once; bind fails with {@code EADDRINUSE} when a file is
 * already at the path (removing stale socket files is the caller's decision, not this layer's).
 * Abstract names are Linux's; elsewhere they are refused before any socket is opened.
 */
public final class FdSocketFactory implements SocketFactory {
    /** The factory; stateless, so one is enough. */
    public static final FdSocketFactory INSTANCE = new FdSocketFactory();

    /** The listen backlog used when the caller passes {@code backlog < 1} (the kernel caps it at somaxconn). */
    public static final int DEFAULT_BACKLOG = 1024;

    private static final SocketAbi ABI = SocketAbi.CURRENT;

    public FdSocketFactory() {
    }

    /**
     * Starts a connect. EINPROGRESS is the normal outcome: the stream turns writable when the
     * connect finishes, and {@link StreamImpl#takeError()} then tells whether it failed.
     */
    @Override
    public StreamImpl connect(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "remote");
        if (address instanceof UnixSocketAddress u) {
            byte[] path = sunPath(u, "connect to");
            return opened(ABI.AF_UNIX, ABI.SOCK_STREAM, fd -> {
                UnixNet.connect(fd, path);
                return new FdStream(fd, ABI.AF_UNIX, false);
            });
        }
        InetSocketAddress remote = (InetSocketAddress) address;
        int family = SockAddr.family(remote);
        return opened(family, ABI.SOCK_STREAM, fd -> {
            boolean inProgress = Net.connect(fd, family, remote) == Native.WOULD_BLOCK;
            return new FdStream(fd, family, inProgress);
        });
    }

    /**
     * A TCP socket whose connect is started by its registration: as the driver's own operation on
     * a completion driver (io_uring), else by {@code connect(2)} then. Unix addresses connect now.
     */
    @Override
    public StreamImpl connectOnRegister(SocketAddress address) throws IOException {
        if (!(address instanceof InetSocketAddress remote)) {
            return connect(address);
        }
        int family = SockAddr.family(remote);
        return new FdStream(FdOpen.socket(family, ABI.SOCK_STREAM), family, remote);
    }

    @Override
    public ListenerImpl listen(SocketAddress address, int backlog, boolean reusePort) throws IOException {
        Objects.requireNonNull(address, "local");
        if (address instanceof UnixSocketAddress u) {
            byte[] path = sunPath(u, "listen on");
            return opened(ABI.AF_UNIX, ABI.SOCK_STREAM, fd -> {
                UnixNet.bind(fd, path);
                Net.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
                return new FdListener(fd, ABI.AF_UNIX);
            });
        }
        InetSocketAddress local = (InetSocketAddress) address;
        int family = SockAddr.family(local);
        return opened(family, ABI.SOCK_STREAM, fd -> {
            // Before bind: a restarted server must be able to rebind a port with connections in TIME_WAIT.
            Net.setInt(fd, ABI.SOL_SOCKET, ABI.SO_REUSEADDR, 1);
            if (reusePort) {
                Net.setInt(fd, ABI.SOL_SOCKET, ABI.SO_REUSEPORT, 1);
            }
            dualStack(fd, family);
            Net.bind(fd, family, local);
            Net.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
            return new FdListener(fd, family);
        });
    }

    @Override
    public DatagramImpl bindDatagram(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "local");
        if (address instanceof UnixSocketAddress u) {
            byte[] path = u.isUnnamed() ? null : sunPath(u, "bind");
            return opened(ABI.AF_UNIX, ABI.SOCK_DGRAM, fd -> {
                if (path != null) {
                    UnixNet.bind(fd, path);
                }
                return new FdDatagram(fd, ABI.AF_UNIX);
            });
        }
        InetSocketAddress local = (InetSocketAddress) address;
        int family = SockAddr.family(local);
        return opened(family, ABI.SOCK_DGRAM, fd -> {
            dualStack(fd, family);
            Net.bind(fd, family, local);
            return new FdDatagram(fd, family);
        });
    }

    @Override
    public StreamImpl[] streamPair() throws IOException {
        int[] sv = FdOpen.socketpair(ABI.SOCK_STREAM);
        return new StreamImpl[] {new FdStream(sv[0], ABI.AF_UNIX, false), new FdStream(sv[1], ABI.AF_UNIX, false)};
    }

    @Override
    public DatagramImpl[] datagramPair() throws IOException {
        int[] sv = FdOpen.socketpair(ABI.SOCK_DGRAM);
        return new DatagramImpl[] {new FdDatagram(sv[0], ABI.AF_UNIX, true), new FdDatagram(sv[1], ABI.AF_UNIX, true)};
    }

    @Override
    public PipeImpl[] pipe() throws IOException {
        int[] fds = FdOpen.pipe();
        return new PipeImpl[] {new FdPipe(fds[0], true), new FdPipe(fds[1], false)};
    }

    /**
     * An IPv6 socket that binds also serves IPv4 ({@code IPV6_V6ONLY=0}), said explicitly: it is
     * Linux's and macOS's default, but FreeBSD's is 1 ({@code net.inet6.ip6.v6only}), and a Linux
     * sysctl ({@code net.ipv6.bindv6only}) can flip it. One call per bind, none per connection.
     */
    private static void dualStack(int fd, int family) throws IOException {
        if (family == ABI.AF_INET6) {
            Net.setInt(fd, ABI.IPPROTO_IPV6, ABI.IPV6_V6ONLY, 0);
        }
    }

    /** The bytes to bind or connect to; refuses what cannot be an address here. */
    private static byte[] sunPath(UnixSocketAddress u, String what) {
        if (u.isUnnamed()) {
            throw new IllegalArgumentException("cannot " + what + " an unnamed Unix socket address");
        }
        if (u.isAbstract() && !SockAddr.ABSTRACT_NAMES) {
            throw new UnsupportedOperationException("abstract Unix socket names (" + u + ") are Linux-only; "
                    + System.getProperty("os.name") + " has none");
        }
        return u.sunPath();
    }

    /** What is done to a new socket before it is handed out (bind, listen, connect); may fail. */
    @FunctionalInterface
    private interface Setup<T> {
        T on(int fd) throws IOException;
    }

    /**
     * A new socket with {@code setup} done to it. If the setup fails the socket is closed before
     * the failure goes on (a close error rides along as suppressed): a refused bind leaks no fd.
     */
    private static <T> T opened(int family, int type, Setup<T> setup) throws IOException {
        int fd = FdOpen.socket(family, type);
        try {
            return setup.on(fd);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(fd, e);
            throw e;
        }
    }

    private static void closeAfterFailure(int fd, Exception cause) {
        try {
            Unistd.close(fd);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
