package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The BSD socket calls of {@code <sys/socket.h>}:
 *
 * <pre>
 * int     socket(int domain, int type, int protocol);
 * int     bind(int fd, const struct sockaddr *addr, socklen_t len);
 * int     listen(int fd, int backlog);
 * int     accept(int fd, struct sockaddr *addr, socklen_t *len);
 * int     accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);   // Linux, FreeBSD
 * int     connect(int fd, const struct sockaddr *addr, socklen_t len);
 * ssize_t recv(int fd, void *buf, size_t len, int flags);
 * ssize_t send(int fd, const void *buf, size_t len, int flags);
 * ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen);
 * ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen);
 * ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
 * int     shutdown(int fd, int how);
 * int     setsockopt(int fd, int level, int name, const void *val, socklen_t len);
 * int     getsockopt(int fd, int level, int name, void *val, socklen_t *len);
 * int     getsockname(int fd, struct sockaddr *addr, socklen_t *len);
 * int     getpeername(int fd, struct sockaddr *addr, socklen_t *len);
 * struct linger { int l_onoff; int l_linger; };
 * </pre>
 *
 * <p>Conventions as in {@link Unistd}: results {@code >= 0} are returned, {@code EAGAIN} is
 * {@link Native#WOULD_BLOCK}, {@code EINTR} is retried, other errnos throw
 * {@link NativeIOException}. Addresses go through this thread's {@link Scratch#sockaddr}.
 * Every send ORs in {@code MSG_NOSIGNAL} where the OS has it (Linux, FreeBSD; on macOS the socket
 * carries {@code SO_NOSIGPIPE} from birth, see {@link FdOpen}): a write to a broken connection
 * fails with EPIPE rather than raising SIGPIPE. Constants come from {@link SocketAbi#CURRENT}. All
 * calls are bound {@code critical}: on non-blocking sockets none blocks.
 */
public final class Net {
    private Net() {
    }

    private static final MethodHandle SOCKET = h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = h("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final SocketAbi ABI = SocketAbi.CURRENT;
    private static final int NOSIGNAL = ABI.MSG_NOSIGNAL;

    private static final MethodHandle ACCEPT = h("accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** Null where the C library has no accept4 (macOS). */
    private static final MethodHandle ACCEPT4 = Native.hasSymbol("accept4")
            ? h("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)) : null;
    private static final MethodHandle CONNECT = h("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = h("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = h("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = h("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = h("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = h("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = h("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = h("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = h("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = h("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = h("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return Native.criticalErrnoHandle(name, fd);
    }

    /**
     * socket(2): the new fd. Pass {@code SOCK_NONBLOCK | SOCK_CLOEXEC} in {@code type} where the OS
     * has them; {@link FdOpen#socket} does the right thing on every OS.
     */
    public static int socket(int domain, int type, int protocol) throws NativeIOException {
        try {
            return Native.checkStrict((int) SOCKET.invokeExact(Native.errnoSegment(), domain, type, protocol), "socket");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** bind(2) to {@code local}, encoded for a socket of {@code family}. */
    public static void bind(int fd, int family, InetSocketAddress local) throws NativeIOException {
        MemorySegment sa = Scratch.get().sockaddr;
        bind(fd, sa, SockAddr.encode(local, family, sa));
    }

    /** bind(2) to the {@code len} bytes of address at {@code sa}. */
    static void bind(int fd, MemorySegment sa, int len) throws NativeIOException {
        try {
            Native.checkStrict((int) BIND.invokeExact(Native.errnoSegment(), fd, sa, len), "bind");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** listen(2). */
    public static void listen(int fd, int backlog) throws NativeIOException {
        try {
            Native.checkStrict((int) LISTEN.invokeExact(Native.errnoSegment(), fd, backlog), "listen");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * accept4(2) with {@code flags} ({@code SOCK_NONBLOCK | SOCK_CLOEXEC}): the new fd, or
     * WOULD_BLOCK when no connection is pending. The peer address is not fetched.
     *
     * @throws UnsupportedOperationException where the C library has no accept4 (macOS: use
     *                                       {@link FdOpen#accept})
     */
    public static int accept4(int fd, int flags) throws NativeIOException {
        if (ACCEPT4 == null) {
            throw new UnsupportedOperationException("accept4 is not in the C library on " + ABI.id());
        }
        long r;
        do {
            try {
                r = (int) ACCEPT4.invokeExact(Native.errnoSegment(), fd, MemorySegment.NULL, MemorySegment.NULL, flags);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((r = Native.check(r, "accept4")) == Native.RETRY);
        return (int) r;
    }

    /**
     * accept(2): the new fd, which does not inherit the listener's {@code O_NONBLOCK} on Linux (it
     * does on the BSDs) and is never close-on-exec; or WOULD_BLOCK. See {@link FdOpen#accept}.
     */
    public static int accept(int fd) throws NativeIOException {
        long r;
        do {
            try {
                r = (int) ACCEPT.invokeExact(Native.errnoSegment(), fd, MemorySegment.NULL, MemorySegment.NULL);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((r = Native.check(r, "accept")) == Native.RETRY);
        return (int) r;
    }

    /**
     * connect(2) to {@code remote}: 0 if connected at once, {@link Native#WOULD_BLOCK} if the
     * connect is in progress (EINPROGRESS, or EINTR, after which it also continues in the
     * background). Completion or failure is then signalled by writability and {@code SO_ERROR}.
     */
    public static int connect(int fd, int family, InetSocketAddress remote) throws NativeIOException {
        MemorySegment sa = Scratch.get().sockaddr;
        int r = connect(fd, sa, SockAddr.encode(remote, family, sa));
        if (r >= 0) {
            return 0;
        }
        int errno = Native.lastErrno();
        if (errno == Errno.EINPROGRESS || errno == Errno.EINTR) {
            return Native.WOULD_BLOCK;
        }
        throw Native.error("connect", errno);
    }

    /** connect(2) to the {@code len} bytes of address at {@code sa}: the raw result (errno captured). */
    static int connect(int fd, MemorySegment sa, int len) {
        try {
            return (int) CONNECT.invokeExact(Native.errnoSegment(), fd, sa, len);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** recv(2): bytes received, 0 at end of stream (or an empty datagram), or WOULD_BLOCK. */
    public static long recv(int fd, MemorySegment buf, long len, int flags) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) RECV.invokeExact(Native.errnoSegment(), fd, buf, len, flags);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "recv")) == Native.RETRY);
        return n;
    }

    /** send(2) with {@code MSG_NOSIGNAL} added (where the OS has it): bytes sent, or WOULD_BLOCK. */
    public static long send(int fd, MemorySegment buf, long len, int flags) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) SEND.invokeExact(Native.errnoSegment(), fd, buf, len, flags | NOSIGNAL);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "send")) == Native.RETRY);
        return n;
    }

    /**
     * recvfrom(2): bytes received (the datagram's full length with {@code MSG_TRUNC}), or
     * WOULD_BLOCK. The source address is left in this thread's {@link Scratch#sockaddr}.
     */
    public static long recvfrom(int fd, MemorySegment buf, long len, int flags) throws NativeIOException {
        Scratch s = Scratch.get();
        long n;
        do {
            s.socklen.set(JAVA_INT, 0, (int) SockAddr.STORAGE_SIZE);
            try {
                n = (long) RECVFROM.invokeExact(Native.errnoSegment(), fd, buf, len, flags, s.sockaddr, s.socklen);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "recvfrom")) == Native.RETRY);
        return n;
    }

    /** sendto(2) of one datagram to {@code target}, with {@code MSG_NOSIGNAL}: bytes sent, or WOULD_BLOCK. */
    public static long sendto(int fd, MemorySegment buf, long len, int flags, int family, InetSocketAddress target)
            throws NativeIOException {
        MemorySegment sa = Scratch.get().sockaddr;
        return sendto(fd, buf, len, flags, sa, SockAddr.encode(target, family, sa));
    }

    /** sendto(2) to the {@code salen} bytes of address at {@code sa}, with {@code MSG_NOSIGNAL}. */
    static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment sa, int salen)
            throws NativeIOException {
        long n;
        do {
            try {
                n = (long) SENDTO.invokeExact(Native.errnoSegment(), fd, buf, len, flags | NOSIGNAL, sa, salen);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "sendto")) == Native.RETRY);
        return n;
    }

    /** sendmsg(2) with {@code MSG_NOSIGNAL}: the socket flavor of writev. Bytes sent, or WOULD_BLOCK. */
    public static long sendmsg(int fd, MemorySegment msghdr, int flags) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) SENDMSG.invokeExact(Native.errnoSegment(), fd, msghdr, flags | NOSIGNAL);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "sendmsg")) == Native.RETRY);
        return n;
    }

    /** shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR. */
    public static void shutdown(int fd, int how) throws NativeIOException {
        try {
            Native.checkStrict((int) SHUTDOWN.invokeExact(Native.errnoSegment(), fd, how), "shutdown");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** setsockopt(2) with an {@code int} value. */
    public static void setInt(int fd, int level, int name, int value) throws NativeIOException {
        MemorySegment v = Scratch.get().small;
        v.set(JAVA_INT, 0, value);
        setsockopt(fd, level, name, v, 4);
    }

    /** getsockopt(2) of an {@code int} value. */
    public static int getInt(int fd, int level, int name) throws NativeIOException {
        Scratch s = Scratch.get();
        getsockopt(fd, level, name, s.small, s.socklen, 4);
        return s.small.get(JAVA_INT, 0);
    }

    /** Sets {@code SO_LINGER} in seconds ({@code SO_LINGER_SEC} on macOS): {@code seconds < 0} disables lingering. */
    public static void setLinger(int fd, int seconds) throws NativeIOException {
        MemorySegment v = Scratch.get().small;
        v.set(JAVA_INT, 0, seconds < 0 ? 0 : 1);
        v.set(JAVA_INT, 4, Math.max(seconds, 0));
        setsockopt(fd, ABI.SOL_SOCKET, ABI.SO_LINGER_SEC, v, 8);
    }

    /** Reads {@code SO_LINGER}: the linger time in seconds, or -1 if lingering is off. */
    public static int getLinger(int fd) throws NativeIOException {
        Scratch s = Scratch.get();
        getsockopt(fd, ABI.SOL_SOCKET, ABI.SO_LINGER_SEC, s.small, s.socklen, 8);
        return s.small.get(JAVA_INT, 0) == 0 ? -1 : s.small.get(JAVA_INT, 4);
    }

    private static void setsockopt(int fd, int level, int name, MemorySegment value, int len) throws NativeIOException {
        try {
            Native.checkStrict((int) SETSOCKOPT.invokeExact(Native.errnoSegment(), fd, level, name, value, len), "setsockopt");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    static void getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len, int size)
            throws NativeIOException {
        len.set(JAVA_INT, 0, size);
        try {
            Native.checkStrict((int) GETSOCKOPT.invokeExact(Native.errnoSegment(), fd, level, name, value, len), "getsockopt");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** getsockname(2), decoded. */
    public static InetSocketAddress getsockname(int fd) throws NativeIOException {
        return name(GETSOCKNAME, "getsockname", fd);
    }

    /** getpeername(2), decoded; throws ENOTCONN while not connected. */
    public static InetSocketAddress getpeername(int fd) throws NativeIOException {
        return name(GETPEERNAME, "getpeername", fd);
    }

    private static InetSocketAddress name(MethodHandle call, String callName, int fd) throws NativeIOException {
        rawName(call == GETPEERNAME, fd);
        return SockAddr.decode(Scratch.get().sockaddr);
    }

    /**
     * getpeername(2) or getsockname(2) into this thread's {@link Scratch#sockaddr}; returns the
     * address length the kernel reported.
     */
    static int rawName(boolean peer, int fd) throws NativeIOException {
        MethodHandle call = peer ? GETPEERNAME : GETSOCKNAME;
        String callName = peer ? "getpeername" : "getsockname";
        Scratch s = Scratch.get();
        s.socklen.set(JAVA_INT, 0, (int) SockAddr.STORAGE_SIZE);
        try {
            Native.checkStrict((int) call.invokeExact(Native.errnoSegment(), fd, s.sockaddr, s.socklen), callName);
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return s.socklen.get(JAVA_INT, 0);
    }
}
