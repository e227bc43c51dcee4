package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;

/**
 * Opens the fds Pollen owns — sockets, accepted connections, socket pairs, pipes — non-blocking and
 * close-on-exec on every OS, in one of two ways chosen by {@link SocketAbi}:
 *
 * <ul>
 *   <li><b>at birth</b> (Linux, FreeBSD): {@code SOCK_NONBLOCK | SOCK_CLOEXEC} to {@code socket},
 *       {@code socketpair} and {@code accept4}, {@code O_NONBLOCK | O_CLOEXEC} to {@code pipe2}. No
 *       instant exists in which the fd is blocking or inheritable.</li>
 *   <li><b>right after</b> (macOS, which has none of these flags or calls): {@code socket},
 *       {@code socketpair}, {@code accept}, {@code pipe}, then {@code fcntl(F_SETFD, FD_CLOEXEC)}
 *       and {@code fcntl(F_SETFL, flags | O_NONBLOCK)}. Not guaranteed there: a {@code fork}
 *       from another thread in between could inherit the fd (the JDK has the same window on macOS;
 *       Java's own process launch closes every fd above 2 in the child, so it is not one).</li>
 * </ul>
 *
 * Where {@code send} has no {@code MSG_NOSIGNAL} (macOS), every socket also gets
 * {@code SO_NOSIGPIPE} (accepted ones too: one {@code setsockopt} more per accept, on macOS only).
 *
 * <p>{@code -Dpollen.fd.fcntl=true} takes the second way on Linux and FreeBSD too, so that the
 * path macOS runs is exercised by the whole test suite on Linux; each method also takes the choice
 * as an argument for tests. If a step after the fd is made fails, the fd is closed before the
 * exception leaves.
 */
public final class FdOpen {
    private FdOpen() {
    }

    private static final SocketAbi ABI = SocketAbi.CURRENT;

    /**
     * Whether this process opens fds with their flags at birth (true on Linux and FreeBSD unless
     * {@code -Dpollen.fd.fcntl=true}); false: plain calls, then {@code fcntl}.
     */
    public static final boolean AT_BIRTH = ABI.accept4 && !Boolean.getBoolean("pollen.fd.fcntl");

    /** A non-blocking, close-on-exec socket of {@code domain} and {@code type} (SOCK_STREAM, SOCK_DGRAM). */
    public static int socket(int domain, int type) throws NativeIOException {
        return socket(domain, type, AT_BIRTH);
    }

    /** {@link #socket(int, int)}, the way chosen by {@code atBirth}. */
    public static int socket(int domain, int type, boolean atBirth) throws NativeIOException {
        if (atBirth) {
            return noSigpipe(Net.socket(domain, type | ABI.SOCK_NONBLOCK | ABI.SOCK_CLOEXEC, 0));
        }
        return prepare(Net.socket(domain, type, 0));
    }

    /** The next pending connection of listener {@code fd}, non-blocking and close-on-exec, or WOULD_BLOCK. */
    public static int accept(int fd) throws NativeIOException {
        return accept(fd, AT_BIRTH);
    }

    /** {@link #accept(int)}, the way chosen by {@code atBirth}. */
    public static int accept(int fd, boolean atBirth) throws NativeIOException {
        int c = atBirth ? Net.accept4(fd, ABI.SOCK_NONBLOCK | ABI.SOCK_CLOEXEC) : Net.accept(fd);
        if (c < 0) {
            return c; // WOULD_BLOCK
        }
        return atBirth ? noSigpipe(c) : prepare(c);
    }

    /** Two connected {@code AF_UNIX} sockets of {@code type}, non-blocking and close-on-exec. */
    public static int[] socketpair(int type) throws NativeIOException {
        return socketpair(type, AT_BIRTH);
    }

    /** {@link #socketpair(int)}, the way chosen by {@code atBirth}. */
    public static int[] socketpair(int type, boolean atBirth) throws NativeIOException {
        int[] sv = UnixNet.socketpair(atBirth ? type | ABI.SOCK_NONBLOCK | ABI.SOCK_CLOEXEC : type);
        return both(sv, atBirth, true);
    }

    /** A pipe, {read end, write end}, both non-blocking and close-on-exec. */
    public static int[] pipe() throws NativeIOException {
        return pipe(AT_BIRTH);
    }

    /** {@link #pipe()}, the way chosen by {@code atBirth}. */
    public static int[] pipe(boolean atBirth) throws NativeIOException {
        return atBirth ? Unistd.pipe2(ABI.O_NONBLOCK | ABI.O_CLOEXEC) : both(Unistd.pipe(), false, false);
    }

    private static int[] both(int[] fds, boolean atBirth, boolean sockets) throws NativeIOException {
        try {
            if (atBirth) {
                noSigpipe(fds[0]);
                noSigpipe(fds[1]);
            } else {
                flags(fds[0], sockets);
                flags(fds[1], sockets);
            }
            return fds;
        } catch (NativeIOException | RuntimeException e) {
            closeAfter(fds[0], e);
            closeAfter(fds[1], e);
            throw e;
        }
    }

    /** The fcntl way for one socket: flags and SO_NOSIGPIPE, or the fd closed and the error thrown. */
    private static int prepare(int fd) throws NativeIOException {
        try {
            flags(fd, true);
            return fd;
        } catch (NativeIOException | RuntimeException e) {
            closeAfter(fd, e);
            throw e;
        }
    }

    private static void flags(int fd, boolean socket) throws NativeIOException {
        Unistd.fcntl(fd, ABI.F_SETFD, Unistd.fcntl(fd, ABI.F_GETFD, 0) | ABI.FD_CLOEXEC);
        Unistd.fcntl(fd, ABI.F_SETFL, Unistd.fcntl(fd, ABI.F_GETFL, 0) | ABI.O_NONBLOCK);
        if (socket) {
            setNoSigpipe(fd);
        }
    }

    /** SO_NOSIGPIPE where send has no MSG_NOSIGNAL (macOS); the fd closed if that fails. */
    private static int noSigpipe(int fd) throws NativeIOException {
        if (ABI.MSG_NOSIGNAL == 0) {
            try {
                setNoSigpipe(fd);
            } catch (NativeIOException | RuntimeException e) {
                closeAfter(fd, e);
                throw e;
            }
        }
        return fd;
    }

    private static void setNoSigpipe(int fd) throws NativeIOException {
        if (ABI.MSG_NOSIGNAL == 0 && ABI.SO_NOSIGPIPE != 0) {
            Net.setInt(fd, ABI.SOL_SOCKET, ABI.SO_NOSIGPIPE, 1);
        }
    }

    private static void closeAfter(int fd, Exception cause) {
        try {
            Unistd.close(fd);
        } catch (NativeIOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
