package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The {@code AF_UNIX} side of the socket calls: the addressed calls of {@link Net} with a
 * {@code sockaddr_un} (see {@link SockAddr#encodeUnix}), plus
 *
 * <pre>
 * int socketpair(int domain, int type, int protocol, int sv[2]);
 * </pre>
 *
 * (peer credentials are {@link PeerCreds}'.)
 *
 * <p>Addresses are the raw bytes of {@code sun_path} (a path without its NUL, an abstract name
 * with its leading NUL, empty for unnamed); turning them into Java objects is the caller's job.
 * Conventions as in {@link Net}.
 */
public final class UnixNet {
    private UnixNet() {
    }

    private static final MethodHandle SOCKETPAIR = Native.criticalErrnoHandle("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    /**
     * socketpair(2) of {@code AF_UNIX}: two connected fds. Pass {@code SOCK_NONBLOCK | SOCK_CLOEXEC}
     * in {@code type} where the OS has them; {@link FdOpen#socketpair} does the right thing on every OS.
     */
    public static int[] socketpair(int type) throws NativeIOException {
        MemorySegment sv = Scratch.get().small;
        int r;
        try {
            r = (int) SOCKETPAIR.invokeExact(Native.errnoSegment(), SocketAbi.CURRENT.AF_UNIX, type, 0, sv);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        Native.checkStrict(r, "socketpair");
        return new int[] {sv.get(JAVA_INT, 0), sv.get(JAVA_INT, 4)};
    }

    /** bind(2) to {@code path}; {@code EADDRINUSE} if a file is already there. */
    public static void bind(int fd, byte[] path) throws NativeIOException {
        MemorySegment sa = Scratch.get().sockaddr;
        Net.bind(fd, sa, SockAddr.encodeUnix(path, sa));
    }

    /**
     * connect(2) to {@code path}. A Unix stream connect completes at once or fails at once:
     * {@code ENOENT} (no such socket file), {@code ECONNREFUSED} (nobody listens), {@code EAGAIN}
     * (Linux: the listener's backlog is full) are all thrown, named.
     */
    public static void connect(int fd, byte[] path) throws NativeIOException {
        MemorySegment sa = Scratch.get().sockaddr;
        int len = SockAddr.encodeUnix(path, sa);
        int r;
        do {
            r = Net.connect(fd, sa, len);
            // EINTR: Linux has already queued the connection or failed it; the retry reports which.
        } while (r < 0 && Native.lastErrno() == Errno.EINTR);
        if (r < 0 && Native.lastErrno() != Errno.EINPROGRESS) {
            throw Native.fail("connect");
        }
    }

    /** sendto(2) of one datagram to {@code path}: bytes sent, or WOULD_BLOCK. */
    public static long sendto(int fd, MemorySegment buf, long len, byte[] path) throws NativeIOException {
        MemorySegment sa = Scratch.get().sockaddr;
        return Net.sendto(fd, buf, len, 0, sa, SockAddr.encodeUnix(path, sa));
    }

    /** getsockname(2) ({@code peer == false}) or getpeername(2): the {@code sun_path} bytes. */
    public static byte[] name(int fd, boolean peer) throws NativeIOException {
        int len = Net.rawName(peer, fd);
        return SockAddr.decodeUnix(Scratch.get().sockaddr, len);
    }

    /** The source of the datagram the last {@link Net#recvfrom} on this thread received. */
    public static byte[] lastSource() {
        Scratch s = Scratch.get();
        return SockAddr.decodeUnix(s.sockaddr, s.socklen.get(JAVA_INT, 0));
    }
}
