package io.pollen.sys.unix;

import java.util.Locale;

/**
 * The socket ABIs Pollen speaks, one per OS, each with the numbers of its own headers; {@link #select}
 * is the one place that picks one and {@link #CURRENT} is the one this process uses. 64-bit only.
 *
 * <p>Each field carries the C name of the constant (so that it can be grepped against the headers)
 * and is set in the constructor in three columns: Linux ({@code asm-generic}, the same on x86_64 and
 * aarch64), macOS (XNU's {@code bsd/sys/socket.h}, {@code netinet/in.h}, {@code netinet6/in6.h},
 * {@code sys/fcntl.h}) and FreeBSD ({@code sys/sys/socket.h}, {@code sys/netinet/in.h},
 * {@code sys/netinet6/in6.h}, {@code sys/sys/fcntl.h}). {@code SocketAbiTest} pins every value
 * against its header. Errno numbers live in {@link Errno}, per the same profile.
 *
 * <p>Where a call or a flag does not exist, the profile says so and the wrappers do what the
 * platform needs instead (see {@link FdOpen}):
 * <ul>
 *   <li>{@code SOCK_NONBLOCK}/{@code SOCK_CLOEXEC} (0 on macOS): the socket is made non-blocking
 *       and close-on-exec with {@code fcntl} right after it is created;</li>
 *   <li>{@code accept4} and {@code pipe2} (absent on macOS): {@code accept} and {@code pipe}, then
 *       {@code fcntl};</li>
 *   <li>{@code MSG_NOSIGNAL} (0 on macOS, whose public kernel did not honour it for years):
 *       {@code SO_NOSIGPIPE} is set on every socket instead, so that a write to a broken
 *       connection fails with {@code EPIPE} rather than raising {@code SIGPIPE};</li>
 *   <li>{@code SO_LINGER} counts clock ticks on macOS: {@link #SO_LINGER_SEC} is the option whose
 *       {@code l_linger} is in seconds on every OS;</li>
 *   <li>peer credentials: {@code SO_PEERCRED} (Linux) or {@code getpeereid} (macOS, FreeBSD), see
 *       {@link PeerCreds}.</li>
 * </ul>
 *
 * <p>Every other constant Pollen passes is alike in the three: {@code AF_UNIX} 1, {@code AF_INET} 2,
 * {@code SOCK_STREAM} 1, {@code SOCK_DGRAM} 2, {@code IPPROTO_IP} 0, {@code IPPROTO_TCP} 6,
 * {@code IPPROTO_UDP} 17, {@code IPPROTO_IPV6} 41, {@code TCP_NODELAY} 1, {@code MSG_PEEK} 2,
 * {@code SHUT_RD/WR/RDWR} 0/1/2, {@code F_GETFD/F_SETFD/F_GETFL/F_SETFL} 1..4, {@code FD_CLOEXEC} 1,
 * {@code IOV_MAX} 1024; they are fields too, so that callers name one source.
 */
public enum SocketAbi {
    /** Linux (x86_64, aarch64): glibc or musl over the asm-generic numbering. */
    LINUX("linux"),
    /** macOS (x86_64, arm64): no accept4, pipe2, SOCK_NONBLOCK or MSG_NOSIGNAL. */
    MACOS("macos"),
    /** FreeBSD 12+ (amd64, arm64): has accept4, pipe2, SOCK_NONBLOCK, MSG_NOSIGNAL. */
    FREEBSD("freebsd");

    /**
     * The profile of the OS this JVM runs on; {@link #LINUX} on an OS that has none, so that the
     * constants stay defined there (no fd socket is opened on such an OS: it uses java.nio). No
     * property overrides it: a wrong profile would break every socket.
     */
    public static final SocketAbi CURRENT = orLinux(select(System.getProperty("os.name", "")));

    private final String id;

    // <sys/socket.h>: families, types, creation flags
    public final int AF_UNIX;
    public final int AF_INET;
    public final int AF_INET6;
    public final int SOCK_STREAM;
    public final int SOCK_DGRAM;
    /** 0 where socket()/accept4() take no such flag (macOS). */
    public final int SOCK_NONBLOCK;
    /** 0 where socket()/accept4() take no such flag (macOS). */
    public final int SOCK_CLOEXEC;

    // <sys/socket.h>: options at SOL_SOCKET
    public final int SOL_SOCKET;
    public final int SO_REUSEADDR;
    public final int SO_KEEPALIVE;
    public final int SO_BROADCAST;
    public final int SO_REUSEPORT;
    public final int SO_SNDBUF;
    public final int SO_RCVBUF;
    public final int SO_ERROR;
    /** The linger option in seconds: {@code SO_LINGER} on Linux and FreeBSD, {@code SO_LINGER_SEC} on macOS. */
    public final int SO_LINGER_SEC;
    /** {@code SO_NOSIGPIPE} (macOS, FreeBSD); 0 on Linux, which has none. */
    public final int SO_NOSIGPIPE;
    /** {@code SO_PEERCRED} (Linux); 0 elsewhere. */
    public final int SO_PEERCRED;
    /** {@code SOL_LOCAL} (macOS, FreeBSD: 0) for {@link #LOCAL_PEERPID}; -1 on Linux. */
    public final int SOL_LOCAL;
    /** {@code LOCAL_PEERPID} (macOS); 0 elsewhere. */
    public final int LOCAL_PEERPID;

    // <netinet/in.h>, <netinet6/in6.h>, <netinet/tcp.h>
    public final int IPPROTO_IP;
    public final int IPPROTO_TCP;
    public final int IPPROTO_UDP;
    public final int IPPROTO_IPV6;
    public final int TCP_NODELAY;
    public final int IP_TTL;
    public final int IPV6_UNICAST_HOPS;
    public final int IPV6_V6ONLY;

    // send/recv flags and shutdown(2)
    public final int MSG_PEEK;
    public final int MSG_TRUNC;
    /** 0 where send() takes no such flag (macOS: {@link #SO_NOSIGPIPE} instead). */
    public final int MSG_NOSIGNAL;
    public final int SHUT_RD;
    public final int SHUT_WR;
    public final int SHUT_RDWR;

    // <fcntl.h>, <limits.h>
    public final int O_NONBLOCK;
    public final int O_CLOEXEC;
    public final int F_GETFD;
    public final int F_SETFD;
    public final int F_GETFL;
    public final int F_SETFL;
    public final int FD_CLOEXEC;
    public final int IOV_MAX;

    // struct layouts (<sys/un.h>, <netinet/in.h>)
    /** {@code sizeof(sun_path)}: 108 on Linux, 104 on macOS and FreeBSD. */
    public final int SUN_PATH_SIZE;
    /** Whether every {@code sockaddr} starts with a length byte and an 8-bit family (macOS, FreeBSD). */
    public final boolean sinLen;
    /** Whether {@code sun_path} may hold an abstract name (a leading NUL): Linux only. */
    public final boolean abstractNames;
    /** Whether {@code accept4} and {@code pipe2} exist (Linux, FreeBSD 10+). */
    public final boolean accept4;

    SocketAbi(String id) {
        this.id = id;
        //                     Linux       macOS       FreeBSD
        AF_UNIX = pick(1, 1, 1);
        AF_INET = pick(2, 2, 2);
        AF_INET6 = pick(10, 30, 28);
        SOCK_STREAM = pick(1, 1, 1);
        SOCK_DGRAM = pick(2, 2, 2);
        SOCK_NONBLOCK = pick(0x800, 0, 0x20000000);
        SOCK_CLOEXEC = pick(0x80000, 0, 0x10000000);

        SOL_SOCKET = pick(1, 0xffff, 0xffff);
        SO_REUSEADDR = pick(2, 0x4, 0x4);
        SO_KEEPALIVE = pick(9, 0x8, 0x8);
        SO_BROADCAST = pick(6, 0x20, 0x20);
        SO_REUSEPORT = pick(15, 0x200, 0x200);
        SO_SNDBUF = pick(7, 0x1001, 0x1001);
        SO_RCVBUF = pick(8, 0x1002, 0x1002);
        SO_ERROR = pick(4, 0x1007, 0x1007);
        SO_LINGER_SEC = pick(13, 0x1080, 0x80);
        SO_NOSIGPIPE = pick(0, 0x1022, 0x800);
        SO_PEERCRED = pick(17, 0, 0);
        SOL_LOCAL = pick(-1, 0, 0);
        LOCAL_PEERPID = pick(0, 0x2, 0);

        IPPROTO_IP = pick(0, 0, 0);
        IPPROTO_TCP = pick(6, 6, 6);
        IPPROTO_UDP = pick(17, 17, 17);
        IPPROTO_IPV6 = pick(41, 41, 41);
        TCP_NODELAY = pick(1, 1, 1);
        IP_TTL = pick(2, 4, 4);
        IPV6_UNICAST_HOPS = pick(16, 4, 4);
        IPV6_V6ONLY = pick(26, 27, 27);

        MSG_PEEK = pick(0x2, 0x2, 0x2);
        MSG_TRUNC = pick(0x20, 0x10, 0x10);
        MSG_NOSIGNAL = pick(0x4000, 0, 0x20000);
        SHUT_RD = pick(0, 0, 0);
        SHUT_WR = pick(1, 1, 1);
        SHUT_RDWR = pick(2, 2, 2);

        O_NONBLOCK = pick(0x800, 0x4, 0x4);
        O_CLOEXEC = pick(0x80000, 0x1000000, 0x100000);
        F_GETFD = pick(1, 1, 1);
        F_SETFD = pick(2, 2, 2);
        F_GETFL = pick(3, 3, 3);
        F_SETFL = pick(4, 4, 4);
        FD_CLOEXEC = pick(1, 1, 1);
        IOV_MAX = pick(1024, 1024, 1024);

        SUN_PATH_SIZE = pick(108, 104, 104);
        sinLen = pick(0, 1, 1) == 1;
        abstractNames = pick(1, 0, 0) == 1;
        accept4 = pick(1, 0, 1) == 1;
    }

    /** This profile's column ({@link #ordinal()} is set before an enum constructor body runs). */
    private int pick(int linux, int macos, int freebsd) {
        return switch (ordinal()) {
            case 0 -> linux;
            case 1 -> macos;
            default -> freebsd;
        };
    }

    /** The name of the profile: {@code linux}, {@code macos} or {@code freebsd}. */
    public String id() {
        return id;
    }

    /**
     * The profile for {@code osName} (a value of the {@code os.name} property): Linux, macOS
     * ({@code Mac OS X}, {@code Darwin}), FreeBSD; {@code null} for any other OS, whose fd sockets
     * Pollen does not speak (it uses java.nio there).
     */
    public static SocketAbi select(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return LINUX;
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return MACOS;
        }
        if (os.contains("freebsd")) {
            return FREEBSD;
        }
        return null;
    }

    private static SocketAbi orLinux(SocketAbi abi) {
        return abi != null ? abi : LINUX;
    }
}
