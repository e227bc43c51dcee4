package io.pollen.poll.epoll;

import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.Selector;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.linux.EventFd;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Linux backend: one epoll instance, every registration edge-triggered.
 *
 * <p>Mapping (see {@link Selector} for the contract this keeps):
 * <ul>
 *   <li>interest: readable → {@code EPOLLIN|EPOLLRDHUP}, writable → {@code EPOLLOUT}, priority →
 *       {@code EPOLLPRI}; {@code EPOLLET} always. The token travels in {@code epoll_data.u64}.</li>
 *   <li>events: {@code EPOLLERR} → error, {@code EPOLLHUP} → read-closed and write-closed,
 *       {@code EPOLLRDHUP} → read-closed, {@code EPOLLIN} → readable, {@code EPOLLOUT} → writable,
 *       {@code EPOLLPRI} → priority.</li>
 *   <li>misuse: {@code EEXIST} on register and {@code ENOENT} on reregister/deregister become
 *       {@link IllegalStateException}s.</li>
 * </ul>
 *
 * <h2>Waking</h2>
 * One eventfd, registered {@code EPOLLIN|EPOLLET} under the reserved token {@link #WAKE_DATA}.
 * {@link #wakeup()} adds 1 to its counter, and every write makes epoll queue the fd again, so an
 * edge is reported per write without ever reading the counter (one system call per wake instead
 * of two). The counter would only saturate after 2<sup>64</sup>-2 wakes; {@code Poll} coalesces
 * wakes to at most one per poll, so at a million polls a second that is over 500,000 years. Should
 * it happen anyway (EAGAIN), the counter is read back to zero and the write repeated.
 *
 * <h2>Timeouts</h2>
 * With {@code epoll_pwait2} (Linux 5.11+, glibc 2.35+, probed once) timeouts have nanosecond
 * resolution; otherwise they are rounded up to whole milliseconds for {@code epoll_wait}, so a 1 µs
 * timeout waits 1 ms rather than spinning. A signal (EINTR) returns 0 events.
 *
 * <h2>Memory</h2>
 * The native event array matches the length of the arrays passed to {@link #select}; it is
 * allocated on the first select and re-allocated only if a longer array comes. {@code select}
 * allocates nothing else.
 */
public final class EpollSelector implements FdSelector {
    /** epoll_data of the waker eventfd; Pollen tokens are >= 0, so it never collides. */
    static final long WAKE_DATA = -1L;

    private final int epfd;
    private final int eventFd;
    private final boolean pwait2;
    private final MemorySegment timespec = Arena.ofAuto().allocate(EPoll.TIMESPEC);
    private MemorySegment events = MemorySegment.NULL;
    private int capacity;
    private volatile long wakerToken = -1;
    private boolean closed;

    private EpollSelector(int epfd, int eventFd, boolean pwait2) {
        this.epfd = epfd;
        this.eventFd = eventFd;
        this.pwait2 = pwait2;
    }

    /** Opens an epoll instance ({@code EPOLL_CLOEXEC}) with its waker eventfd. */
    public static Selector open() throws IOException {
        return open(EPoll.HAS_PWAIT2);
    }

    /** As {@link #open()}; {@code pwait2 = false} forces the millisecond {@code epoll_wait} path (tests). */
    static EpollSelector open(boolean pwait2) throws IOException {
        if (pwait2 && !EPoll.HAS_PWAIT2) {
            throw new UnsupportedOperationException("epoll_pwait2 is not available here");
        }
        int epfd = EPoll.create1(EPoll.EPOLL_CLOEXEC);
        int efd = -1;
        try {
            efd = EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            EPoll.ctl(epfd, EPoll.EPOLL_CTL_ADD, efd, EPoll.EPOLLIN | EPoll.EPOLLET, WAKE_DATA);
            return new EpollSelector(epfd, efd, pwait2);
        } catch (IOException | RuntimeException e) {
            closeQuietly(efd, e);
            closeQuietly(epfd, e);
            throw e;
        }
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public void register(int fd, long token, int interest) throws IOException {
        ctl(EPoll.EPOLL_CTL_ADD, fd, token, interest);
    }

    @Override
    public void reregister(int fd, long token, int interest) throws IOException {
        ctl(EPoll.EPOLL_CTL_MOD, fd, token, interest);
    }

    @Override
    public void deregister(int fd) throws IOException {
        ctl(EPoll.EPOLL_CTL_DEL, fd, 0, 0);
    }

    private void ctl(int op, int fd, long token, int interest) throws IOException {
        try {
            EPoll.ctl(epfd, op, fd, op == EPoll.EPOLL_CTL_DEL ? 0 : toEpoll(interest), token);
        } catch (NativeIOException e) {
            if (e.errno() == Errno.EEXIST && op == EPoll.EPOLL_CTL_ADD) {
                throw FdSelector.alreadyRegistered(fd, e);
            }
            if (e.errno() == Errno.ENOENT && op != EPoll.EPOLL_CTL_ADD) {
                throw FdSelector.notRegistered(fd, op == EPoll.EPOLL_CTL_MOD ? "reregister" : "deregister", e);
            }
            throw e;
        }
    }

    /** Interest bits as epoll (and poll(2), io_uring's POLL_ADD) bits, edge-triggered. */
    public static int toEpoll(int interest) {
        int ev = EPoll.EPOLLET;
        if ((interest & Ready.INTEREST_READABLE) != 0) {
            ev |= EPoll.EPOLLIN | EPoll.EPOLLRDHUP;
        }
        if ((interest & Ready.INTEREST_WRITABLE) != 0) {
            ev |= EPoll.EPOLLOUT;
        }
        if ((interest & Ready.INTEREST_PRIORITY) != 0) {
            ev |= EPoll.EPOLLPRI;
        }
        return ev;
    }

    /** epoll (and poll(2), io_uring's POLL_ADD) bits as {@link Ready} bits. */
    public static int toReady(int ev) {
        int r = 0;
        if ((ev & EPoll.EPOLLERR) != 0) {
            r |= Ready.ERROR;
        }
        if ((ev & EPoll.EPOLLHUP) != 0) {
            r |= Ready.READ_CLOSED | Ready.WRITE_CLOSED;
        }
        if ((ev & EPoll.EPOLLRDHUP) != 0) {
            r |= Ready.READ_CLOSED;
        }
        if ((ev & EPoll.EPOLLIN) != 0) {
            r |= Ready.READABLE;
        }
        if ((ev & EPoll.EPOLLOUT) != 0) {
            r |= Ready.WRITABLE;
        }
        if ((ev & EPoll.EPOLLPRI) != 0) {
            r |= Ready.PRIORITY;
        }
        return r;
    }

    @Override
    public int select(long[] tokens, int[] flags, long timeoutNanos) throws IOException {
        int max = Math.min(tokens.length, flags.length);
        if (max < 1) {
            throw new IllegalArgumentException("select needs room for at least one event");
        }
        if (capacity < max) {
            // Grown only when a longer array comes; the old array goes with the GC.
            events = Arena.ofAuto().allocate(EPoll.EVENT_SIZE * max, 8);
            capacity = max;
        }
        int n = waitFor(max, timeoutNanos);
        int out = 0;
        for (int i = 0; i < n; i++) {
            long data = EPoll.data(events, i);
            if (data == WAKE_DATA) {
                long waker = wakerToken;
                if (waker >= 0) {
                    tokens[out] = waker;
                    flags[out++] = Ready.READABLE;
                }
                continue;
            }
            tokens[out] = data;
            flags[out++] = toReady(EPoll.events(events, i));
        }
        return out;
    }

    private int waitFor(int max, long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            return EPoll.wait(epfd, events, max, 0);
        }
        if (pwait2) {
            if (timeoutNanos < 0) {
                return EPoll.pwait2(epfd, events, max, MemorySegment.NULL);
            }
            EPoll.timespec(timespec, timeoutNanos);
            return EPoll.pwait2(epfd, events, max, timespec);
        }
        return EPoll.wait(epfd, events, max, toMillis(timeoutNanos));
    }

    /** Rounds a timeout up to whole milliseconds ({@code epoll_wait}'s unit); negative stays -1. */
    static int toMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        long ms = timeoutNanos / 1_000_000L + (timeoutNanos % 1_000_000L == 0 ? 0 : 1);
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    @Override
    public void wakerToken(long token) {
        wakerToken = token;
    }

    @Override
    public void wakeup() throws IOException {
        EventFd.signal(eventFd);   // see the class docs: one edge per write, never read back
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        try {
            Unistd.close(eventFd);
        } catch (IOException e) {
            first = e;
        }
        try {
            Unistd.close(epfd);
        } catch (IOException e) {
            if (first == null) {
                first = e;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeQuietly(int fd, Exception cause) {
        if (fd >= 0) {
            try {
                Unistd.close(fd);
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "EpollSelector{epfd=" + epfd + ", eventfd=" + eventFd + (pwait2 ? ", pwait2}" : ", epoll_wait}");
    }
}
