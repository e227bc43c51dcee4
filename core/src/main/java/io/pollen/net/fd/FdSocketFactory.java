package io.pollen.net.fd;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.SocketFactory;
import io.pollen.net.spi.StreamImpl;
import io.pollen.sys.unix.Linux;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.SockAddr;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.net.InetSocketAddress;
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
    public StreamImpl connect(InetSocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
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
    public ListenerImpl listen(InetSocketAddress local, int backlog, boolean reusePort) throws IOException {
        Objects.requireNonNull(local, "local");
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
    public DatagramImpl bindDatagram(InetSocketAddress local) throws IOException {
        Objects.requireNonNull(local, "local");
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

    private static void closeAfterFailure(int fd, Exception cause) {
        try {
            Unistd.close(fd);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
