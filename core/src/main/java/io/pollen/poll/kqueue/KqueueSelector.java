package io.pollen.poll.kqueue;

import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.Selector;
import io.pollen.sys.bsd.KQueue;
import io.pollen.sys.bsd.KqueueAbi;
import io.pollen.sys.linux.PollFd;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Timespec;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The macOS / FreeBSD backend (and libkqueue's on Linux): one kqueue, every filter
 * {@code EV_CLEAR} (edge-triggered), kept as mio's kqueue selector keeps it.
 *
 * <p>Mapping (see {@link Selector} for the contract this keeps):
 * <ul>
 *   <li>register: {@code EVFILT_READ} for readable, {@code EVFILT_WRITE} for writable, each
 *       {@code EV_ADD | EV_CLEAR | EV_RECEIPT}, the token in {@code udata}. Priority has no kqueue
 *       filter and is ignored (as in mio).</li>
 *   <li>reregister: each of the two filters added or deleted to match the new interest
 *       ({@code ENOENT} from deleting a filter that was not there is ignored); deregister deletes
 *       both.</li>
 *   <li>errors: the change list is passed again as the event list, so with {@code EV_RECEIPT}
 *       every change comes back with {@code EV_ERROR} and its own errno in {@code data} (0 on
 *       success). {@code EPIPE} is ignored, as mio does (macOS reports it when adding the write
 *       filter of a pipe whose reader is gone; the event then says so).</li>
 *   <li>events: {@code EVFILT_READ} → readable, {@code EVFILT_WRITE} → writable; {@code EV_EOF}
 *       → read-closed or write-closed by filter; {@code EV_ERROR}, or {@code EV_EOF} with a
 *       non-zero {@code fflags} (the socket error), → error. Both filters of one fd that arrive
 *       in one batch are merged into one event. On libkqueue, what it leaves out is made up for
 *       (see {@link #libkqueueCompensation}), and after a full batch, which it may have cut short
 *       for good, every registered fd is asked once with {@code poll(2)} ({@link #rescan}).</li>
 *   <li>misuse: kqueue's {@code EV_ADD} silently modifies an existing registration, so the
 *       selector keeps the set of registered fds itself, to throw the contract's
 *       {@link IllegalStateException}s. The set is only right if every fd is deregistered
 *       before it is closed (the rule for {@code SourceFd}; the runtime keeps it on kqueue).</li>
 * </ul>
 *
 * <h2>Waking</h2>
 * One {@code EVFILT_USER} event (ident 0, {@code EV_CLEAR}) under the reserved udata
 * {@link #WAKE_UDATA}; {@link #wakeup()} triggers it with {@code NOTE_TRIGGER}. One system call
 * per wake, nothing to read back.
 *
 * <h2>Timeouts</h2>
 * {@code kevent} takes a {@code struct timespec}: nanosecond resolution, nothing to round. Waits
 * longer than {@link #MAX_WAIT_SECONDS} are cut to it (libkqueue converts seconds to an
 * {@code int} of milliseconds); the early return is an allowed spurious one. EINTR returns 0.
 *
 * <h2>Memory</h2>
 * The native event array and the merge table match the length of the arrays passed to
 * {@link #select}; they are allocated on the first select and again only if a longer array
 * comes. Registration uses a change buffer of its own under a lock; {@code select} allocates
 * nothing, except on libkqueue after a full batch: the {@code pollfd} array of a rescan, grown
 * with the registrations, and the events kept for the next select ({@link Carry}).
 */
public final class KqueueSelector implements FdSelector {
    /** udata of the wake-up event; Pollen tokens are >= 0, so it never collides. */
    static final long WAKE_UDATA = -1L;
    /** Longest single wait, in seconds (23 days; libkqueue's millisecond int holds 24.8). */
    static final long MAX_WAIT_SECONDS = 2_000_000L;
    /** The most kevents libkqueue returns from one call, whatever the caller asks ({@code MAX_KEVENT}). */
    static final int LIBKQUEUE_MAX_EVENTS = 512;

    private static final int ADD = KQueue.EV_ADD | KQueue.EV_CLEAR | KQueue.EV_RECEIPT;
    private static final int DELETE = KQueue.EV_DELETE | KQueue.EV_RECEIPT;

    private final int kq;
    private final short evfiltUser = KQueue.ABI.evfiltUser;
    /** Whether libkqueue's omissions must be made up for ({@link #libkqueueCompensation}). */
    private final boolean libkqueue = KQueue.ABI == KqueueAbi.LIBKQUEUE;
    private final Arena arena = Arena.ofAuto();
    /** Two kevents for (re/de)registration; guarded by {@link #registered}. */
    private final MemorySegment changes = arena.allocate(KQueue.eventSize() * 2, 8);
    /** One kevent for wake-ups; guarded by itself. */
    private final MemorySegment wake = arena.allocate(KQueue.eventSize(), 8);
    private final MemorySegment timespec = arena.allocate(Timespec.LAYOUT);
    private final MemorySegment zero = arena.allocate(Timespec.LAYOUT);
    private final FdSet registered = new FdSet();
    private final EventMerger merger = new EventMerger();
    private MemorySegment events = MemorySegment.NULL;
    private int capacity;
    /** libkqueue only: each registered fd's token and interest, for {@link #rescan}; guarded by {@link #registered}. */
    private long[] fdTokens = new long[64];
    private int[] fdInterest = new int[64];
    /** libkqueue only: what a rescan found beyond the caller's arrays; guarded by {@link #registered}. */
    private final Carry carry = new Carry();
    /** libkqueue only: the {@code struct pollfd}s of a rescan; guarded by {@link #registered}. */
    private MemorySegment pollfds = MemorySegment.NULL;
    private volatile long wakerToken = -1;
    private boolean closed;

    private KqueueSelector(int kq) {
        this.kq = kq;
    }

    /** Opens a kqueue with its wake-up event. */
    public static Selector open() throws IOException {
        if (!KQueue.AVAILABLE) {
            throw new UnsupportedOperationException("kqueue is not available: "
                    + KQueue.unavailableReason().orElse("unknown reason"));
        }
        int kq = KQueue.kqueue();
        KqueueSelector s = new KqueueSelector(kq);
        try {
            s.trigger(0);
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                Unistd.close(kq);
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return "kqueue";
    }

    @Override
    public void register(int fd, long token, int interest) throws IOException {
        synchronized (registered) {
            if (registered.contains(fd)) {
                throw new IllegalStateException("already registered: fd " + fd
                        + " is registered with this Poll; use reregister to change its token or interest");
            }
            int n = 0;
            if ((interest & Ready.INTEREST_READABLE) != 0) {
                KQueue.set(changes, n++, fd, KQueue.EVFILT_READ, ADD, 0, token);
            }
            if ((interest & Ready.INTEREST_WRITABLE) != 0) {
                KQueue.set(changes, n++, fd, KQueue.EVFILT_WRITE, ADD, 0, token);
            }
            apply(n, -1);
            registered.add(fd);
            if (libkqueue) {
                remember(fd, token, interest);
            }
        }
    }

    @Override
    public void reregister(int fd, long token, int interest) throws IOException {
        synchronized (registered) {
            requireRegistered(fd, "reregister");
            boolean read = (interest & Ready.INTEREST_READABLE) != 0;
            boolean write = (interest & Ready.INTEREST_WRITABLE) != 0;
            KQueue.set(changes, 0, fd, KQueue.EVFILT_READ, read ? ADD : DELETE, 0, token);
            KQueue.set(changes, 1, fd, KQueue.EVFILT_WRITE, write ? ADD : DELETE, 0, token);
            apply(2, Errno.ENOENT);
            if (libkqueue) {
                remember(fd, token, interest);
                carry.retoken(fd, token, interest);
            }
        }
    }

    @Override
    public void deregister(int fd) throws IOException {
        synchronized (registered) {
            requireRegistered(fd, "deregister");
            try {
                KQueue.set(changes, 0, fd, KQueue.EVFILT_READ, DELETE, 0, 0);
                KQueue.set(changes, 1, fd, KQueue.EVFILT_WRITE, DELETE, 0, 0);
                apply(2, Errno.ENOENT);
            } finally {
                // Even if the kernel objects (e.g. EBADF: the fd was closed first), it is forgotten.
                registered.remove(fd);
                carry.forget(fd);
                KQueue.forgetConsumedError(fd);
            }
        }
    }

    /** Keeps {@code fd}'s token and interest for {@link #rescan} (libkqueue); under the lock. */
    private void remember(int fd, long token, int interest) {
        if (fd >= fdTokens.length) {
            int n = Math.max(fdTokens.length * 2, fd + 1);
            fdTokens = Arrays.copyOf(fdTokens, n);
            fdInterest = Arrays.copyOf(fdInterest, n);
        }
        fdTokens[fd] = token;
        fdInterest[fd] = interest;
    }

    private void requireRegistered(int fd, String call) {
        if (!registered.contains(fd)) {
            throw new IllegalStateException("not registered: fd " + fd + " is not registered with this Poll ("
                    + call + ")");
        }
    }

    /**
     * Applies the first {@code n} entries of {@link #changes}, collecting each one's receipt in
     * place; throws the first errno other than 0, EPIPE and {@code ignored}.
     */
    private void apply(int n, int ignored) throws IOException {
        if (n == 0) {
            return;
        }
        int got = KQueue.kevent(kq, changes, n, changes, n, zero, true);
        for (int i = 0; i < got; i++) {
            if ((KQueue.flags(changes, i) & KQueue.EV_ERROR) != 0) {
                int errno = (int) KQueue.data(changes, i);
                if (errno != 0 && errno != Errno.EPIPE && errno != ignored) {
                    throw Native.error("kevent", errno);
                }
            }
        }
    }

    @Override
    public int select(long[] tokens, int[] flags, long timeoutNanos) throws IOException {
        int max = Math.min(tokens.length, flags.length);
        if (max < 1) {
            throw new IllegalArgumentException("select needs room for at least one event");
        }
        // Only select fills and drains the carry (registration calls only rewrite kept entries), so
        // whether it is empty needs no lock: the common case, an empty carry, takes none.
        if (libkqueue && !carry.isEmpty()) {
            synchronized (registered) {
                return carry.drainTo(tokens, flags, max);   // the kernel's queue waits its turn
            }
        }
        if (capacity < max) {
            // Grown only when a longer array comes; the old one goes with the GC.
            events = Arena.ofAuto().allocate(KQueue.eventSize() * max, 8);
            merger.ensure(max);
            capacity = max;
        }
        int n;
        if (timeoutNanos == 0) {
            n = KQueue.kevent(kq, MemorySegment.NULL, 0, events, max, zero, true);
        } else if (timeoutNanos < 0) {
            n = KQueue.kevent(kq, MemorySegment.NULL, 0, events, max, MemorySegment.NULL, false);
        } else {
            Timespec.set(timespec, Math.min(timeoutNanos, MAX_WAIT_SECONDS * 1_000_000_000L));
            n = KQueue.kevent(kq, MemorySegment.NULL, 0, events, max, timespec, false);
        }
        merger.reset(n);
        int out = 0;
        for (int i = 0; i < n; i++) {
            short filter = KQueue.filter(events, i);
            long udata = KQueue.udata(events, i);
            if (filter == evfiltUser) {
                long waker = wakerToken;
                if (udata == WAKE_UDATA && waker >= 0) {
                    tokens[out] = waker;
                    flags[out++] = Ready.READABLE;
                }
                continue;
            }
            int evFlags = KQueue.flags(events, i);
            int fflags = KQueue.fflags(events, i);
            int bits = toReady(filter, evFlags, fflags);
            int fd = (int) KQueue.ident(events, i);
            if (libkqueue) {
                bits |= libkqueueCompensation(fd, filter, evFlags, fflags);
            }
            int earlier = merger.find(fd);
            if (earlier >= 0 && tokens[earlier] == udata) {
                flags[earlier] |= bits;   // the fd's other filter, in the same batch
                continue;
            }
            merger.put(fd, out);
            tokens[out] = udata;
            flags[out++] = bits;
        }
        if (libkqueue && n >= Math.min(max, LIBKQUEUE_MAX_EVENTS)) {
            out = rescan(tokens, flags, out, max);
        }
        return out;
    }

    /**
     * A full batch from libkqueue may have lost events for good: its {@code linux_kevent_copyout}
     * takes as many fds from {@code epoll_wait} as there are kevent slots (at most
     * {@link #LIBKQUEUE_MAX_EVENTS}), makes two kevents of each fd with both filters, and drops
     * whatever is left when the slots run out; edge-triggered epoll never reports those again. No
     * array size avoids it, so after a full batch one {@code poll(2)} asks every registered fd for
     * its readiness now and reports what the batch did not (as spurious events, which the contract
     * allows, where nothing was lost). What the caller's arrays cannot take waits in {@link #carry}.
     */
    private int rescan(long[] tokens, int[] flags, int out, int max) throws IOException {
        synchronized (registered) {
            int count = registered.size();
            if (pollfds.byteSize() < PollFd.SIZE * count) {
                pollfds = Arena.ofAuto().allocate(PollFd.SIZE * Math.max(count, 64) * 2, 8);
            }
            int[] at = {0};
            registered.forEach(fd -> {
                int interest = fdInterest[fd];
                short want = (short) (((interest & Ready.INTEREST_READABLE) != 0 ? PollFd.POLLIN | PollFd.POLLRDHUP : 0)
                        | ((interest & Ready.INTEREST_WRITABLE) != 0 ? PollFd.POLLOUT : 0));
                PollFd.set(pollfds, at[0]++, fd, want);
            });
            int ready = PollFd.now(pollfds, count);
            for (int i = 0; i < count && ready > 0; i++) {
                int revents = PollFd.revents(pollfds, i);
                if (revents == 0) {
                    continue;
                }
                ready--;
                int fd = PollFd.fd(pollfds, i);
                int bits = fromPoll(revents, fdInterest[fd]);
                int earlier = merger.find(fd);
                if (earlier >= 0 && tokens[earlier] == fdTokens[fd]) {
                    flags[earlier] |= bits;   // in the batch already; a dropped filter joins it
                } else if (out < max) {
                    tokens[out] = fdTokens[fd];
                    flags[out++] = bits;
                } else {
                    carry.add(fd, fdTokens[fd], bits);
                }
            }
        }
        return out;
    }

    /** The {@link Ready} bits of a {@code poll(2)} {@code revents}, for a registration's interest. */
    static int fromPoll(int revents, int interest) {
        boolean read = (interest & Ready.INTEREST_READABLE) != 0;
        boolean write = (interest & Ready.INTEREST_WRITABLE) != 0;
        int r = 0;
        if (read && (revents & (PollFd.POLLIN | PollFd.POLLRDHUP | PollFd.POLLHUP)) != 0) {
            r |= Ready.READABLE;
        }
        if (read && (revents & (PollFd.POLLRDHUP | PollFd.POLLHUP)) != 0) {
            r |= Ready.READ_CLOSED;
        }
        if (write && (revents & (PollFd.POLLOUT | PollFd.POLLHUP)) != 0) {
            r |= Ready.WRITABLE;
        }
        if (write && (revents & PollFd.POLLHUP) != 0) {
            r |= Ready.WRITE_CLOSED;
        }
        if ((revents & PollFd.POLLERR) != 0) {
            r |= Ready.ERROR;
        }
        return r;
    }

    /**
     * What libkqueue leaves out of a kevent that native kqueue puts in (libkqueue ABI only):
     * <ul>
     *   <li>It reads {@code SO_ERROR} to fill {@code fflags}, which clears it on Linux; the errno is
     *       kept for the socket's {@code takeError} ({@link KQueue#recordConsumedError}).</li>
     *   <li>With both filters on one socket it drops {@code EPOLLRDHUP} from the fd's shared epoll
     *       registration, so a FIN that arrives with unread data sets no {@code EV_EOF}, and once
     *       the data is drained no new edge comes: the end of stream would never be seen. Native
     *       kqueue sets {@code EV_EOF} whenever the receive side is shut. So a read event without
     *       it asks {@code poll(POLLRDHUP)}: one system call per read event, on libkqueue only.</li>
     * </ul>
     */
    private static int libkqueueCompensation(int fd, short filter, int evFlags, int fflags) throws IOException {
        if ((evFlags & KQueue.EV_EOF) != 0) {
            if (fflags != 0) {
                KQueue.recordConsumedError(fd, fflags);   // rare: only failed sockets
            }
            return 0;
        }
        if (filter == KQueue.EVFILT_READ
                && (PollFd.now(fd, (short) (PollFd.POLLRDHUP | PollFd.POLLIN)) & (PollFd.POLLRDHUP | PollFd.POLLHUP)) != 0) {
            return Ready.READ_CLOSED;
        }
        return 0;
    }

    /** The {@link Ready} bits of one kevent. */
    static int toReady(short filter, int evFlags, int fflags) {
        boolean eof = (evFlags & KQueue.EV_EOF) != 0;
        int r = 0;
        if (filter == KQueue.EVFILT_READ) {
            r |= Ready.READABLE | (eof ? Ready.READ_CLOSED : 0);
        } else if (filter == KQueue.EVFILT_WRITE) {
            r |= Ready.WRITABLE | (eof ? Ready.WRITE_CLOSED : 0);
        }
        if ((evFlags & KQueue.EV_ERROR) != 0 || (eof && fflags != 0)) {
            r |= Ready.ERROR;
        }
        return r;
    }

    @Override
    public void wakerToken(long token) {
        wakerToken = token;
    }

    @Override
    public void wakeup() throws IOException {
        trigger(KQueue.NOTE_TRIGGER);
    }

    /** Adds (fflags 0) or triggers ({@code NOTE_TRIGGER}) the wake-up event. */
    private void trigger(int fflags) throws IOException {
        synchronized (wake) {
            KQueue.set(wake, 0, 0, evfiltUser, ADD, fflags, WAKE_UDATA);
            int got = KQueue.kevent(kq, wake, 1, wake, 1, zero, true);
            if (got == 1 && (KQueue.flags(wake, 0) & KQueue.EV_ERROR) != 0 && KQueue.data(wake, 0) != 0) {
                throw Native.error("kevent", (int) KQueue.data(wake, 0));
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (registered) {
            registered.forEach(KQueue::forgetConsumedError); // fds closed later without a deregister
        }
        Unistd.close(kq);
    }

    @Override
    public String toString() {
        return "KqueueSelector{kq=" + kq + ", abi=" + KQueue.ABI.id() + "}";
    }
}
