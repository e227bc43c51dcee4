package io.pollen.sys.linux;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.Timespec;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux epoll, {@code <sys/epoll.h>}:
 *
 * <pre>
 * typedef union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } epoll_data_t;
 *
 * struct epoll_event {
 *     uint32_t     events;
 *     epoll_data_t data;
 * } __EPOLL_PACKED;        // packed (12 bytes) on x86_64 only; 16 bytes, data 8-aligned, elsewhere
 *
 * int epoll_create1(int flags);
 * int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
 * int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms);
 * int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
 *                  const struct timespec *timeout, const sigset_t *sigmask);   // Linux 5.11, glibc 2.35
 * </pre>
 *
 * <p>{@link #EVENT} is the one place that picks the layout per architecture. {@code epoll_ctl} and a
 * zero-timeout wait are bound {@code critical}; a wait with a timeout never is (it blocks).
 */
public final class EPoll {
    private EPoll() {
    }

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLET = 1 << 31;

    /** Whether {@code struct epoll_event} is packed here: only x86_64 (and 32-bit x86) declare it so. */
    public static final boolean PACKED = isX86_64(System.getProperty("os.arch", ""));

    /** {@code struct epoll_event} for this architecture: 12 bytes on x86_64, 16 on aarch64. */
    public static final StructLayout EVENT = PACKED
            ? MemoryLayout.structLayout(
                    JAVA_INT.withName("events"),
                    ValueLayout.JAVA_LONG_UNALIGNED.withName("data"))
            : MemoryLayout.structLayout(
                    JAVA_INT.withName("events"),
                    MemoryLayout.paddingLayout(4),
                    JAVA_LONG.withName("data"));

    public static final long EVENT_SIZE = EVENT.byteSize();
    private static final long EVENTS_OFF = EVENT.byteOffset(groupElement("events"));
    private static final long DATA_OFF = EVENT.byteOffset(groupElement("data"));

    /** {@code struct timespec { time_t tv_sec; long tv_nsec; }} (LP64). */
    public static final StructLayout TIMESPEC = Timespec.LAYOUT;

    private static final MethodHandle CREATE1 = Native.criticalErrnoHandle("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CTL = Native.criticalErrnoHandle("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final FunctionDescriptor WAIT_FD = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle WAIT = Native.errnoHandle("epoll_wait", WAIT_FD);
    private static final MethodHandle WAIT_NOW = Native.criticalErrnoHandle("epoll_wait", WAIT_FD);
    private static final MethodHandle PWAIT2 = Native.hasSymbol("epoll_pwait2")
            ? Native.errnoHandle("epoll_pwait2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS))
            : null;

    /** Whether {@link #pwait2} may be used: libc has the symbol and the kernel (and any seccomp filter) accepts it. */
    public static final boolean HAS_PWAIT2 = PWAIT2 != null && probePwait2();

    static boolean isX86_64(String arch) {
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** epoll_create1(2): a new epoll fd. */
    public static int create1(int flags) throws NativeIOException {
        try {
            return Native.checkStrict((int) CREATE1.invokeExact(Native.errnoSegment(), flags), "epoll_create1");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * epoll_ctl(2) with an event of {@code events} and {@code data} (built in this thread's scratch).
     * Every errno, EEXIST and ENOENT included, is thrown; the caller maps misuse.
     */
    public static void ctl(int epfd, int op, int fd, int events, long data) throws NativeIOException {
        MemorySegment ev = Scratch.get().small;
        ev.set(JAVA_INT, EVENTS_OFF, events);
        ev.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFF, data);
        try {
            Native.checkStrict((int) CTL.invokeExact(Native.errnoSegment(), epfd, op, fd, ev), "epoll_ctl");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * epoll_wait(2): the number of events written to {@code events}; {@code timeoutMs} -1 blocks,
     * 0 returns at once. EINTR (a signal) returns 0: the caller treats it as a spurious wake-up.
     */
    public static int wait(int epfd, MemorySegment events, int max, int timeoutMs) throws NativeIOException {
        int n;
        try {
            n = timeoutMs == 0
                    ? (int) WAIT_NOW.invokeExact(Native.errnoSegment(), epfd, events, max, 0)
                    : (int) WAIT.invokeExact(Native.errnoSegment(), epfd, events, max, timeoutMs);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return n >= 0 || Native.lastErrno() == Errno.EINTR ? Math.max(n, 0) : failWait("epoll_wait");
    }

    /**
     * epoll_pwait2(2) with a nanosecond {@code timespec} ({@link MemorySegment#NULL} blocks), no
     * signal mask change. Only when {@link #HAS_PWAIT2}. EINTR returns 0, as for {@link #wait}.
     */
    public static int pwait2(int epfd, MemorySegment events, int max, MemorySegment timespec) throws NativeIOException {
        int n;
        try {
            n = (int) PWAIT2.invokeExact(Native.errnoSegment(), epfd, events, max, timespec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return n >= 0 || Native.lastErrno() == Errno.EINTR ? Math.max(n, 0) : failWait("epoll_pwait2");
    }

    private static int failWait(String call) throws NativeIOException {
        throw Native.fail(call);
    }

    /** The {@code events} bits of entry {@code i} of an event array. */
    public static int events(MemorySegment array, int i) {
        return array.get(JAVA_INT, i * EVENT_SIZE + EVENTS_OFF);
    }

    /** The {@code data.u64} of entry {@code i} of an event array. */
    public static long data(MemorySegment array, int i) {
        return array.get(ValueLayout.JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFF);
    }

    /** Sets a {@code timespec} to {@code nanos} (>= 0). */
    public static void timespec(MemorySegment ts, long nanos) {
        Timespec.set(ts, nanos);
    }

    /**
     * Asks the kernel about epoll_pwait2 without an epoll fd: on fd -1 a kernel that has the call
     * answers EBADF; one without it (or a seccomp filter denying it) answers ENOSYS or EPERM.
     */
    private static boolean probePwait2() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(EVENT);
            MemorySegment ts = arena.allocate(TIMESPEC);
            int n = (int) PWAIT2.invokeExact(Native.errnoSegment(), -1, ev, 1, ts, MemorySegment.NULL);
            return n < 0 && Native.lastErrno() == Errno.EBADF;
        } catch (Throwable t) {
            return false;
        }
    }
}
