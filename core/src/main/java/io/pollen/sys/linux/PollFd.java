package io.pollen.sys.linux;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Scratch;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * poll(2) with a zero timeout, {@code <poll.h>}:
 *
 * <pre>
 * struct pollfd { int fd; short events; short revents; };   // 8 bytes
 * int poll(struct pollfd *fds, nfds_t nfds, int timeout);
 * </pre>
 *
 * <p>Used only to ask what an event queue left out (libkqueue's missing {@code EV_EOF}, the events
 * it drops from a full batch); never to wait. Bound {@code critical}: with timeout 0 it cannot block.
 */
public final class PollFd {
    private PollFd() {
    }

    public static final short POLLIN = 0x001;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    /** Linux: the peer shut down its writing side (or the connection closed). */
    public static final short POLLRDHUP = 0x2000;

    private static final MethodHandle POLL = Native.criticalErrnoHandle("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    /** The {@code revents} of {@code fd} for {@code events} right now (0 if none, or on EINTR). */
    public static int now(int fd, short events) throws NativeIOException {
        MemorySegment p = Scratch.get().small;
        set(p, 0, fd, events);
        return now(p, 1) == 0 ? 0 : revents(p, 0);
    }

    /** Bytes of one {@code struct pollfd}. */
    public static final long SIZE = 8;

    /** Sets {@code struct pollfd} {@code i} of {@code fds} to ask {@code fd} for {@code events}. */
    public static void set(MemorySegment fds, int i, int fd, short events) {
        long at = SIZE * i;
        fds.set(JAVA_INT, at, fd);
        fds.set(JAVA_SHORT, at + 4, events);
        fds.set(JAVA_SHORT, at + 6, (short) 0);
    }

    /** The fd of {@code struct pollfd} {@code i}. */
    public static int fd(MemorySegment fds, int i) {
        return fds.get(JAVA_INT, SIZE * i);
    }

    /** What {@link #now} found for {@code struct pollfd} {@code i} ({@code revents}, unsigned). */
    public static int revents(MemorySegment fds, int i) {
        return fds.get(JAVA_SHORT, SIZE * i + 6) & 0xffff;
    }

    /**
     * poll(2) with a zero timeout on the first {@code n} {@code struct pollfd}s of {@code fds}
     * (8 bytes each, fd and events set); fills their {@code revents}. Returns how many have any
     * (0 on EINTR).
     */
    public static int now(MemorySegment fds, int n) throws NativeIOException {
        int got;
        try {
            got = (int) POLL.invokeExact(Native.errnoSegment(), fds, (long) n, 0);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (got < 0) {
            if (Native.lastErrno() == io.pollen.sys.unix.Errno.EINTR) {
                return 0;
            }
            throw Native.fail("poll");
        }
        return got;
    }
}
