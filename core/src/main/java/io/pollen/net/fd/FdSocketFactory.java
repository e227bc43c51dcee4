package io.pollen.net.fd;

import io.pollen.net.UnixSocketAddress;
import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.PipeImpl;
import io.pollen.net.spi.SocketFactory;
import io.pollen.net.spi.StreamImpl;
import io.pollen.sys.unix.Linux;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.SockAddr;
import io.pollen.sys.unix.UnixNet;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Sockets as native file descriptors, driven through FFM: the flavor for the epoll (and later
 * kqueue) backends. {@code io.pollen.net.Sockets#factory} hands this out for those backends.
 *
 * <p>Every socket is created {@code SOCK_NONBLOCK | SOCK_CLOEXEC}. The family follows the address:
 * an IPv4 address gives an AF_INET socket, an IPv6 one an AF_INET6 socket; binding {@code ::} gives
 * a dual-stack socket (Linux's default {@code IPV6_V6ONLY=0}) that also serves IPv4 peers, whose
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

    private static final int FLAGS = Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC;

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
            int fd = Net.socket(Linux.AF_UNIX, Linux.SOCK_STREAM | FLAGS, 0);
            try {
                UnixNet.connect(fd, path);
                return new FdStream(fd, Linux.AF_UNIX, false);
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(fd, e);
                throw e;
            }
        }
        InetSocketAddress remote = (InetSocketAddress) address;
        int family = SockAddr.family(remote);
        int fd = Net.socket(family, Linux.SOCK_STREAM | FLAGS, 0);
        try {
            boolean inProgress = Net.connect(fd, family, remote) == Native.WOULD_BLOCK;
            return new FdStream(fd, family, inProgress);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(fd, e);
            throw e;
        }
    }

    @Override
    public ListenerImpl listen(SocketAddress address, int backlog, boolean reusePort) throws IOException {
        Objects.requireNonNull(address, "local");
        if (address instanceof UnixSocketAddress u) {
            byte[] path = sunPath(u, "listen on");
            int fd = Net.socket(Linux.AF_UNIX, Linux.SOCK_STREAM | FLAGS, 0);
            try {
                UnixNet.bind(fd, path);
                Net.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
                return new FdListener(fd, Linux.AF_UNIX);
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(fd, e);
                throw e;
            }
        }
        InetSocketAddress local = (InetSocketAddress) address;
        int family = SockAddr.family(local);
        int fd = Net.socket(family, Linux.SOCK_STREAM | FLAGS, 0);
        try {
            // Before bind: a restarted server must be able to rebind a port with connections in TIME_WAIT.
            Net.setInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, 1);
            if (reusePort) {
                Net.setInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1);
            }
            Net.bind(fd, family, local);
            Net.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
            return new FdListener(fd, family);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(fd, e);
            throw e;
        }
    }

    @Override
    public DatagramImpl bindDatagram(SocketAddress address) throws IOException {
        Objects.requireNonNull(address, "local");
        if (address instanceof UnixSocketAddress u) {
            byte[] path = u.isUnnamed() ? null : sunPath(u, "bind");
            int fd = Net.socket(Linux.AF_UNIX, Linux.SOCK_DGRAM | FLAGS, 0);
            try {
                if (path != null) {
                    UnixNet.bind(fd, path);
                }
                return new FdDatagram(fd, Linux.AF_UNIX);
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(fd, e);
                throw e;
            }
        }
        InetSocketAddress local = (InetSocketAddress) address;
        int family = SockAddr.family(local);
        int fd = Net.socket(family, Linux.SOCK_DGRAM | FLAGS, 0);
        try {
            Net.bind(fd, family, local);
            return new FdDatagram(fd, family);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(fd, e);
            throw e;
        }
    }

    @Override
    public StreamImpl[] streamPair() throws IOException {
        int[] sv = UnixNet.socketpair(Linux.SOCK_STREAM | FLAGS);
        return new StreamImpl[] {new FdStream(sv[0], Linux.AF_UNIX, false), new FdStream(sv[1], Linux.AF_UNIX, false)};
    }

    @Override
    public DatagramImpl[] datagramPair() throws IOException {
        int[] sv = UnixNet.socketpair(Linux.SOCK_DGRAM | FLAGS);
        return new DatagramImpl[] {new FdDatagram(sv[0], Linux.AF_UNIX, true), new FdDatagram(sv[1], Linux.AF_UNIX, true)};
    }

    @Override
    public PipeImpl[] pipe() throws IOException {
        int[] fds = Unistd.pipe2(Linux.O_NONBLOCK | Linux.O_CLOEXEC);
        return new PipeImpl[] {new FdPipe(fds[0], true), new FdPipe(fds[1], false)};
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

    private static void closeAfterFailure(int fd, Exception cause) {
        try {
            Unistd.close(fd);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
