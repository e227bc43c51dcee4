package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The plumbing every binding shares: the linker, the C library lookup, and errno capture.
 *
 * <p>Convention for wrappers: every downcall handle is made with {@link #errnoHandle} (or
 * {@link #criticalErrnoHandle} for short calls that never block), so its first argument is the
 * capture segment; the wrapper passes {@link #errnoSegment()} and, on a negative result, calls
 * {@link #fail(String)}, which reads errno from that segment and throws the one
 * {@link NativeIOException}. The capture segment is allocated once per thread and reused: an
 * {@code Arena} per call costs about six times the call itself.
 */
public final class Native {
    private Native() {
    }

    public static final Linker LINKER = Linker.nativeLinker();

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** One capture segment per thread, from an arena that lives as long as the thread's use of it. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("strerror"),
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));

    /** The address of a C library function; throws if the platform's libc lacks it. */
    public static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().findOrThrow(name);
    }

    /** Whether the C library has {@code name} (e.g. {@code epoll_pwait2} on older glibc). */
    public static boolean hasSymbol(String name) {
        return LINKER.defaultLookup().find(name).isPresent();
    }

    /**
     * What the wrappers return instead of throwing when a non-blocking call reports
     * {@code EAGAIN}/{@code EWOULDBLOCK}: "would block", a normal outcome. Negative, and not -1, so
     * that it is never mistaken for a raw libc failure or java.nio's end of stream.
     */
    public static final int WOULD_BLOCK = -2;

    /** What {@link #check} returns for {@code EINTR}: the wrapper calls again. Never escapes a wrapper. */
    public static final int RETRY = -3;

    /**
     * Interprets the raw result of a capturing call made on this thread: {@code n >= 0} is returned
     * as is, {@code EAGAIN} becomes {@link #WOULD_BLOCK}, {@code EINTR} becomes {@link #RETRY}, and
     * any other errno is thrown as a {@link NativeIOException} naming {@code call}.
     */
    public static long check(long n, String call) throws NativeIOException {
        if (n >= 0) {
            return n;
        }
        int errno = lastErrno();
        if (errno == Errno.EAGAIN) {
            return WOULD_BLOCK;
        }
        if (errno == Errno.EINTR) {
            return RETRY;
        }
        throw error(call, errno);
    }

    /** As {@link #check}, but every errno (EAGAIN, EINTR included) is an exception. */
    public static int checkStrict(int r, String call) throws NativeIOException {
        if (r < 0) {
            throw fail(call);
        }
        return r;
    }

    /** A handle that captures errno; may block (no {@code critical} option). */
    public static MethodHandle errnoHandle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.captureCallState("errno"));
    }

    /**
     * A handle for a variadic C function (e.g. {@code fcntl}) that captures errno;
     * {@code firstVariadic} is the index of the first variadic argument in the C signature.
     */
    public static MethodHandle variadicErrnoHandle(String name, FunctionDescriptor fd, int firstVariadic) {
        return LINKER.downcallHandle(symbol(name), fd, Linker.Option.firstVariadicArg(firstVariadic),
                Linker.Option.captureCallState("errno"));
    }

    /**
     * A handle that captures errno, for short calls that never block (read/write on non-blocking
     * fds, epoll_ctl, ...). {@code critical(false)}: heap segments are not passed, so no GC pinning.
     */
    public static MethodHandle criticalErrnoHandle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd,
                Linker.Option.captureCallState("errno"), Linker.Option.critical(false));
    }

    /** This thread's reused errno capture segment; pass it as the first argument. */
    public static MemorySegment errnoSegment() {
        return CAPTURE.get();
    }

    /** The errno the last capturing call on this thread left. */
    public static int lastErrno() {
        return (int) ERRNO.get(CAPTURE.get(), 0L);
    }

    /** Builds the exception for the errno the last capturing call on this thread left. */
    public static NativeIOException fail(String call) {
        return error(call, lastErrno());
    }

    /** Builds the exception for {@code errno} (e.g. one read back with {@code SO_ERROR}). */
    public static NativeIOException error(String call, int errno) {
        return new NativeIOException(call, errno, Errno.name(errno), strerror(errno));
    }

    /** The C library's message for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.equals(MemorySegment.NULL) ? "Unknown error " + errno : s.getString(0);
        } catch (Throwable t) {
            return "Unknown error " + errno;
        }
    }

    /** Rethrows what a downcall can throw: only unchecked errors are expected. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected exception from a native call", t);
    }
}
