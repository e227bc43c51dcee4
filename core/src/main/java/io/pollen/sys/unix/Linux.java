package io.pollen.sys.unix;

/**
 * The Linux values of the POSIX constants Pollen passes to the socket and file calls of this
 * package. They are the same on x86_64 and aarch64 (both use the asm-generic socket numbering;
 * only the old MIPS/SPARC/Alpha ports differ). They live beside the calls that take them, so that
 * {@code io.pollen.sys.unix} depends on nothing above it and {@code io.pollen.sys.linux} (epoll,
 * eventfd, whose constants live with their calls) depends on this package, not the reverse.
 *
 * <p>A port to the BSDs would add a sibling class with their numbering; nothing outside
 * {@code io.pollen.sys} and {@code io.pollen.net.fd} names these.
 */
public final class Linux {
    private Linux() {
    }

    // <sys/socket.h> address families and socket types
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    /** Same value as {@link #O_NONBLOCK}: opens the socket non-blocking (socket, accept4). */
    public static final int SOCK_NONBLOCK = 0x800;
    /** Same value as {@link #O_CLOEXEC}: opens the socket close-on-exec (socket, accept4). */
    public static final int SOCK_CLOEXEC = 0x80000;

    // option levels and names (<sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>)
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    /** {@code struct ucred} of a Unix socket's peer (Linux only). */
    public static final int SO_PEERCRED = 17;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int TCP_NODELAY = 1;
    public static final int IP_TTL = 2;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_V6ONLY = 26;

    // send/recv flags
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_TRUNC = 0x20;
    /** Makes a write to a closed connection fail with EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;

    // shutdown(2)
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // <fcntl.h>
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;

    /** The most iovecs one readv/writev/sendmsg takes ({@code IOV_MAX}, {@code UIO_MAXIOV}). */
    public static final int IOV_MAX = 1024;
}
