package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * File descriptor calls of {@code <unistd.h>}, {@code <sys/uio.h>} and {@code <fcntl.h>}:
 *
 * <pre>
 * ssize_t read(int fd, void *buf, size_t count);
 * ssize_t write(int fd, const void *buf, size_t count);
 * ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
 * ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
 * int     close(int fd);
 * int     pipe(int pipefd[2]);
 * int     pipe2(int pipefd[2], int flags);                 // Linux, FreeBSD
 * int     fcntl(int fd, int cmd, ... &#47;* int arg *&#47;);
 * </pre>
 *
 * <p>Conventions: the I/O wrappers return the result when it is {@code >= 0},
 * {@link Native#WOULD_BLOCK} when the call reported {@code EAGAIN}, retry {@code EINTR}, and throw
 * {@link NativeIOException} for any other errno. All but {@code close} are short calls on
 * non-blocking fds, bound {@code critical}. Sockets write with {@link Net#send} rather than
 * {@link #write}, so that a broken connection never raises {@code SIGPIPE}.
 */
public final class Unistd {
    private Unistd() {
    }

    private static final MethodHandle READ = Native.criticalErrnoHandle("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Native.criticalErrnoHandle("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READV = Native.criticalErrnoHandle("readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITEV = Native.criticalErrnoHandle("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // close may block (SO_LINGER, slow devices): never critical.
    private static final MethodHandle CLOSE = Native.errnoHandle("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PIPE = Native.criticalErrnoHandle("pipe",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** Null where the C library has no pipe2 (macOS). */
    private static final MethodHandle PIPE2 = Native.hasSymbol("pipe2")
            ? Native.criticalErrnoHandle("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)) : null;
    private static final MethodHandle FCNTL = Native.variadicErrnoHandle("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);

    /** read(2) into {@code len} bytes at {@code buf}: bytes read, 0 at end of file, or WOULD_BLOCK. */
    public static long read(int fd, MemorySegment buf, long len) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) READ.invokeExact(Native.errnoSegment(), fd, buf, len);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "read")) == Native.RETRY);
        return n;
    }

    /** write(2) of {@code len} bytes at {@code buf}: bytes written, or WOULD_BLOCK. Not for sockets. */
    public static long write(int fd, MemorySegment buf, long len) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) WRITE.invokeExact(Native.errnoSegment(), fd, buf, len);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "write")) == Native.RETRY);
        return n;
    }

    /** readv(2) over {@code count} iovecs: bytes read, 0 at end of file, or WOULD_BLOCK. */
    public static long readv(int fd, MemorySegment iovecs, int count) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) READV.invokeExact(Native.errnoSegment(), fd, iovecs, count);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "readv")) == Native.RETRY);
        return n;
    }

    /** writev(2) over {@code count} iovecs: bytes written, or WOULD_BLOCK. Not for sockets. */
    public static long writev(int fd, MemorySegment iovecs, int count) throws NativeIOException {
        long n;
        do {
            try {
                n = (long) WRITEV.invokeExact(Native.errnoSegment(), fd, iovecs, count);
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        } while ((n = Native.check(n, "writev")) == Native.RETRY);
        return n;
    }

    /**
     * close(2). Never retried: Linux releases the fd even when close reports EINTR, and a retry
     * could close an fd another thread has just been given. So EINTR is not an error here.
     */
    public static void close(int fd) throws NativeIOException {
        int r;
        try {
            r = (int) CLOSE.invokeExact(Native.errnoSegment(), fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (r < 0 && Native.lastErrno() != Errno.EINTR) {
            throw Native.fail("close");
        }
    }

    /**
     * pipe2(2): returns {read end, write end}, opened with {@code flags} (O_NONBLOCK, O_CLOEXEC).
     *
     * @throws UnsupportedOperationException where the C library has no pipe2 (macOS: use
     *                                       {@link FdOpen#pipe})
     */
    public static int[] pipe2(int flags) throws NativeIOException {
        if (PIPE2 == null) {
            throw new UnsupportedOperationException("pipe2 is not in the C library on " + SocketAbi.CURRENT.id());
        }
        MemorySegment fds = Scratch.get().small;
        int r;
        try {
            r = (int) PIPE2.invokeExact(Native.errnoSegment(), fds, flags);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        Native.checkStrict(r, "pipe2");
        return new int[] {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
    }

    /** pipe(2): returns {read end, write end}, blocking and inheritable (see {@link FdOpen#pipe}). */
    public static int[] pipe() throws NativeIOException {
        MemorySegment fds = Scratch.get().small;
        int r;
        try {
            r = (int) PIPE.invokeExact(Native.errnoSegment(), fds);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        Native.checkStrict(r, "pipe");
        return new int[] {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
    }

    /** fcntl(2) with an int argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD): the call's result. */
    public static int fcntl(int fd, int cmd, int arg) throws NativeIOException {
        int r;
        try {
            r = (int) FCNTL.invokeExact(Native.errnoSegment(), fd, cmd, arg);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return Native.checkStrict(r, "fcntl");
    }
}
