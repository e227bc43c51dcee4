package io.pollen.poll.uring;

import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.Selector;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.linux.EventFd;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The io_uring backend in readiness mode: every registration is one multishot {@code POLL_ADD},
 * so {@code Poll}/{@code Registry} keep mio's contract (see {@link Selector}) and every fd socket
 * works on it as on epoll.
 *
 * <ul>
 *   <li><b>Mapping.</b> Interest and reported bits are epoll's ({@code POLL_ADD} takes and returns
 *       the same {@code poll(2)} bits), edge-triggered (io_uring's default for multishot polls: a
 *       CQE per wake-up of the source). The fd is the slot of a {@link Slots} table;
 *       {@code user_data} = generation and fd.</li>
 *   <li><b>Re-arm.</b> A CQE without {@code IORING_CQE_F_MORE} means the kernel ended the poll
 *       (e.g. the CQ overflowed): its event is reported and the poll is added again, to go with the
 *       next {@code io_uring_enter}. Arming checks readiness at once, so no edge is lost.</li>
 *   <li><b>(Re/de)register</b> submit at once (one {@code io_uring_enter}, like one
 *       {@code epoll_ctl}): reregister removes the old poll and adds a new one; deregister removes
 *       it. Both move the slot to a new generation first, so a completion of the old registration
 *       still in the ring, or posted later, no longer matches and is dropped: after deregister
 *       returns, its token is never reported.</li>
 *   <li><b>Closing an fd does not end its poll</b> (the poll holds a reference to the file, unlike
 *       epoll): owners deregister before closing ({@code Backend.closeDeregisters()} is false).
 *       An fd that is not open is reported once as an error event (the kernel checks it when the
 *       poll is submitted, not when registering).</li>
 *   <li><b>Wake-ups</b>: an eventfd with a multishot poll kept armed; every 8-byte write is one
 *       CQE, nothing is read back (as the epoll backend's {@code EPOLLET} eventfd).</li>
 *   <li><b>Timeouts</b>: the wait's {@code IORING_ENTER_EXT_ARG} timespec, nanosecond resolution.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Registrations come from any thread while one thread polls, so the ring is set up without
 * {@code SINGLE_ISSUER}/{@code DEFER_TASKRUN} (they need one submitting thread) and without
 * {@code COOP_TASKRUN} (a poll's completion runs as task work of the thread that submitted it,
 * which then must be interruptible). A lock guards the SQ and the table; the waiting
 * {@code io_uring_enter} runs outside it. Only the polling thread (the last to call
 * {@code select}) submits: another thread's (re/de)registration writes its SQEs and wakes the
 * poller through the eventfd (no event is reported for that), so a registering thread is never the
 * one the kernel interrupts to run completions. Not guaranteed, therefore: that a deregistration
 * made off the polling thread has dropped the poll's file reference when it returns (its events are
 * kept out at once by the generation; the reference goes when the poller next runs, or at close).
 */
public final class UringSelector implements FdSelector, AutoCloseable {
    static final long WAKE = -1L;
    private static final int SQ_ENTRIES = 256;
    private static final int CQ_ENTRIES = 4096;

    private final Ring ring;
    private final int eventFd;
    private final PollSet polls;
    private final ReentrantLock lock = new ReentrantLock();
    private final Ring.Completion sink = this::complete;
    private final PollSet.Report report = (fd, token, ready) -> emitFor(fd, token, ready);
    private volatile long wakerToken = -1;
    private volatile boolean userWake;   // set by wakeup(): the next eventfd CQE is reported
    /** A wakeup() was taken during the current select: it returns, even with no event to report. */
    private boolean woken;
    private volatile Thread home;        // the thread that last called select: the only submitter
    private boolean closed;
    // the select in progress (poller thread, under the lock)
    private long[] outTokens;
    private int[] outFlags;
    private int out;
    // Coalescing: a source's CQEs within one select make one event (flags or-ed), as epoll's
    // ready list does; batchOf[fd] is the select that last emitted for fd, at index batchIdx[fd].
    private int batch;
    private int[] batchOf = new int[64];
    private int[] batchIdx = new int[64];

    private UringSelector(Ring ring, int eventFd) {
        this.ring = ring;
        this.eventFd = eventFd;
        this.polls = new PollSet(ring);
    }

    /** Opens a ring with its waker eventfd; {@link UringSupport#isAvailable()} must hold. */
    public static UringSelector open() throws IOException {
        return open(SQ_ENTRIES, CQ_ENTRIES);
    }

    /** As {@link #open()} with the ring's sizes (tests use tiny rings to overflow them). */
    static UringSelector open(int sqEntries, int cqEntries) throws IOException {
        if (!UringSupport.isAvailable()) {
            throw new UnsupportedOperationException("the io_uring backend is not available: " + UringSupport.unavailableReason());
        }
        Ring ring = Ring.open(sqEntries, cqEntries, IoUring.IORING_SETUP_SUBMIT_ALL);
        int efd = -1;
        try {
            efd = EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            // Queued, not submitted: the first select submits it, so that the polling thread (not
            // whoever opened the Poll) runs its completions. A wake-up before then leaves the
            // eventfd readable, which the poll reports as soon as it is armed.
            ring.sqes.pollAdd(efd, EPoll.EPOLLIN, true, WAKE);
            return new UringSelector(ring, efd);
        } catch (IOException | RuntimeException e) {
            int opened = efd;
            if (opened >= 0) {
                Closing.quietly(() -> Unistd.close(opened), e);
            }
            Closing.quietly(ring::close, e);
            throw e;
        }
    }

    /** The ring, for tests. */
    Ring ring() {
        return ring;
    }

    /** How many polls the kernel ended that were added again (tests). */
    long rearms() {
        return polls.rearms();
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public void register(int fd, long token, int interest) throws IOException {
        lock.lock();
        try {
            polls.add(fd, token, interest);
            submitOrHandOff();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reregister(int fd, long token, int interest) throws IOException {
        lock.lock();
        try {
            polls.modify(fd, token, interest);
            submitOrHandOff();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deregister(int fd) throws IOException {
        lock.lock();
        try {
            polls.remove(fd);
            submitOrHandOff();   // soon, so that the poll's reference to the file is dropped
        } finally {
            lock.unlock();
        }
    }

    /**
     * Submits what was just queued if the caller is the polling thread; otherwise leaves it to
     * that thread and wakes it. The thread that submits a poll is the one the kernel makes run its
     * completions (task work, announced like a signal that interrupts its blocking calls), so a
     * thread that only registers must not become that thread for polls someone else waits on.
     * Before any thread polled, the first select submits. Under the lock.
     */
    private void submitOrHandOff() throws IOException {
        Thread h = home;
        if (h == Thread.currentThread()) {
            ring.submit();
        } else if (h != null) {
            signal();
        }
    }

    @Override
    public int select(long[] tokens, int[] flags, long timeoutNanos) throws IOException {
        int max = Math.min(tokens.length, flags.length);
        if (max < 1) {
            throw new IllegalArgumentException("select needs room for at least one event");
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        lock.lock();
        try {
            home = Thread.currentThread();
            begin(tokens, flags);
            drain(max);
            if (out > 0 || woken || timeoutNanos == 0) {
                if (ring.pending() > 0 || out == 0) {
                    ring.submitAndWait(0, 0);   // queued re-arms; with nothing found, one look for overflow
                    drain(max);
                }
                return end();
            }
            while (true) {
                int toSubmit = ring.publish();
                lock.unlock();
                try {
                    // Outside the lock: registrations go on meanwhile (handed to this thread).
                    ring.enterAndWait(toSubmit, 1, timeoutNanos < 0 ? -1 : Math.max(1, deadline - System.nanoTime()));
                } finally {
                    lock.lock();
                }
                drain(max);
                // Only a hand-off woke us (its SQEs wait to be submitted): wait on, unless time is up.
                if (out > 0 || woken || ring.pending() == 0 || timeoutNanos > 0 && deadline - System.nanoTime() <= 0) {
                    return end();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void begin(long[] tokens, int[] flags) {
        outTokens = tokens;
        outFlags = flags;
        out = 0;
        woken = false;
        if (++batch == 0) {   // wrapped after 2^32 selects: forget every mark
            batch = 1;
            java.util.Arrays.fill(batchOf, 0);
        }
    }

    private int end() {
        outTokens = null;
        outFlags = null;
        return out;
    }

    /** Reaps until {@code max} events are out or the ring (and its overflow) is empty. */
    private void drain(int max) throws IOException {
        while (out < max && ring.reap(sink, max - out) > 0) {
            // each pass hands at most as many CQEs as there is room for events
        }
    }

    private void complete(long ud, int res, int cqeFlags) throws IOException {
        boolean more = (cqeFlags & IoUring.IORING_CQE_F_MORE) != 0;
        if (ud == WAKE) {
            if (!more && !closed) {
                ring.sqes.pollAdd(eventFd, EPoll.EPOLLIN, true, WAKE);
            }
            long waker = wakerToken;
            if (userWake) {   // else a hand-off's signal(): nothing to report
                userWake = false;
                woken = true;   // a wake-up sent before this select (or during it) ends it
                if (waker >= 0) {
                    emit(waker, Ready.READABLE);
                }
            }
            return;
        }
        if (ud >= 0) {
            polls.complete(ud, res, cqeFlags, report);
        }
    }

    /** One event per source per select: a second CQE for fd in this select adds to its flags. */
    private void emitFor(int fd, long token, int ready) {
        if (fd >= batchOf.length) {
            int n = Math.max(batchOf.length * 2, fd + 1);
            batchOf = java.util.Arrays.copyOf(batchOf, n);
            batchIdx = java.util.Arrays.copyOf(batchIdx, n);
        }
        if (batchOf[fd] == batch) {
            outFlags[batchIdx[fd]] |= ready;
            return;
        }
        batchOf[fd] = batch;
        batchIdx[fd] = out;
        emit(token, ready);
    }

    private void emit(long token, int ready) {
        outTokens[out] = token;
        outFlags[out++] = ready;
    }

    @Override
    public void wakerToken(long token) {
        wakerToken = token;
    }

    @Override
    public void wakeup() throws IOException {
        userWake = true;
        signal();
    }

    /** One CQE for the eventfd's poll: wakes the thread in {@link #select}. */
    private void signal() throws IOException {
        EventFd.signal(eventFd);
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException first = null;
            try {
                ring.close();   // cancels every poll and drops their file references
            } catch (IOException e) {
                first = e;
            }
            try {
                Unistd.close(eventFd);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
            if (first != null) {
                throw first;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "UringSelector{" + ring + ", eventfd=" + eventFd + "}";
    }
}
