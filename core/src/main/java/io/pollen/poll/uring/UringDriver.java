package io.pollen.poll.uring;

import io.pollen.poll.Backend;
import io.pollen.poll.Poll;
import io.pollen.poll.spi.Driver;
import io.pollen.poll.spi.PollDriver;
import io.pollen.poll.spi.FdSelector;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.linux.EventFd;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The io_uring driver of an event loop: completion I/O for TCP streams, readiness (multishot
 * {@code POLL_ADD}, {@link PollSet}) for every other source, on one ring only the loop's thread
 * touches. See the package docs for the model; the contract is {@link Driver}'s.
 *
 * <ul>
 *   <li><b>Ring.</b> Set up with {@code SINGLE_ISSUER | DEFER_TASKRUN | COOP_TASKRUN | SUBMIT_ALL}
 *       where the kernel has them ({@link RingSetup} drops what it refuses) and
 *       {@code R_DISABLED}: the loop's thread enables it on its first {@link #run}, becoming its
 *       one submitter, wherever the loop was built. Completions are posted only inside this
 *       thread's {@code io_uring_enter}: no task work interrupts the loop elsewhere.</li>
 *   <li><b>One system call per run.</b> {@link #run} queues the sends that writes asked for, then
 *       one {@code io_uring_enter} submits everything queued and waits ({@code EXT_ARG} deadline);
 *       then the completions are dispatched. (Re/de)registrations only queue, except that a
 *       deregistration submits at once when something is queued: its fd is about to be closed,
 *       and a queued SQE names the fd by number. {@link #enterCalls()} counts the calls.</li>
 *   <li><b>Streams.</b> A TCP stream socket registered here gets a {@link CompletionStream}
 *       ({@link FdSelector#registerStream}): multishot recv into a per-loop {@link BufRing},
 *       sends from its own native buffer ({@link SendBuffers}), its connect ({@link StreamConnect})
 *       when registered unconnected. Reports follow the bytes: readable when some came, writable when room did.</li>
 *   <li><b>One report per registration per run</b>, after every completion was reaped (bookkeeping
 *       only), with the bits of all its completions ({@link Reports}). A stream's read that finds
 *       nothing kept while completions wait unreaped has them reaped ({@link #absorb}), no handler
 *       called, and never says "would block" while its bytes are there.</li>
 *   <li><b>user_data</b> = generation (bits 32..62) | kind (bits 24..31) | index (the fd, or a send
 *       slot): the owner in O(1); a completion of a registration that is gone (cancelled on
 *       deregister, or of an fd number reused since) no longer matches and is dropped, except
 *       that a provided buffer it carries goes back to the ring. Fds must be below 2<sup>24</sup>.</li>
 *   <li><b>Wake-ups</b>: an eventfd with a multishot poll kept armed; {@link #wakeup()} holds a
 *       reference while it writes, and {@link #close} waits for it before closing the eventfd.</li>
 * </ul>
 */
public final class UringDriver implements PollDriver {
    static final long RECV = 1L << 24;
    static final long CONNECT = 2L << 24;
    static final long SEND = 3L << 24;
    static final long ACCEPT = 4L << 24;
    static final long ACCEPT_POLL = 5L << 24;
    private static final long KIND = 0xffL << 24;
    private static final long WAKE = -1L;
    private static final int FLAGS = IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN
            | IoUring.IORING_SETUP_COOP_TASKRUN | IoUring.IORING_SETUP_SUBMIT_ALL | IoUring.IORING_SETUP_R_DISABLED;
    private static final int CLOSED = 1;
    private static final int REF = 2;

    private final Ring ring;
    private final int eventFd;
    private final PollSet polls;
    private final RecvBuffers recv;   // null: the kernel has no provided-buffer rings; streams stay readiness
    private final SendBuffers sends;
    final LoopFds fds;
    private final Ring.Completion sink = this::complete;
    private final Reports reports = new Reports();
    private final PollSet.Report report = reports::note;
    private final AtomicInteger wakeState = new AtomicInteger();
    private final ArrayDeque<CompletionStream> dirty = new ArrayDeque<>();
    private Poll poll;
    /**
     * Counters for tests: recvs re-armed after the kernel ended them, short sends, connects
     * submitted, reads that absorbed the CQ.
     */
    long recvRearms;
    long absorbs;
    long connects;
    long shortSends;
    private boolean closed;
    private boolean running;   // run() has been called: the ring is enabled and its fd registered

    private UringDriver(Ring ring, int eventFd, BufRing bufs, UringConfig config) {
        this.ring = ring;
        this.eventFd = eventFd;
        this.polls = new PollSet(ring);
        this.recv = bufs == null ? null
                : new RecvBuffers(bufs, config.buffers(), config.bufferSize(), config.streamBuffers());
        this.sends = new SendBuffers(config.sendBuffer());
        this.fds = new LoopFds(this, polls);
    }

    /**
     * Opens a driver sized by the {@code pollen.uring.*} system properties ({@link UringConfig}:
     * an invalid one throws {@link IllegalArgumentException} naming it); {@code pollOver} makes the
     * Poll whose Registry sources register through (its selector is this driver's registration
     * side). {@link UringSupport#isAvailable()} must hold.
     */
    public static UringDriver open(Function<FdSelector, Poll> pollOver) throws IOException {
        return open(pollOver, UringConfig.system());
    }

    /** As {@link #open(Function)} with the sizes of {@code config} (tests shrink them). */
    static UringDriver open(Function<FdSelector, Poll> pollOver, UringConfig config) throws IOException {
        if (!UringSupport.isAvailable()) {
            throw new UnsupportedOperationException("the io_uring backend is not available: " + UringSupport.unavailableReason());
        }
        Ring ring = Ring.open(config.entries(), config.cqEntries(), FLAGS);
        int efd = -1;
        BufRing bufs = null;
        try {
            efd = EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
            ring.sqes.pollAdd(efd, EPoll.EPOLLIN, true, WAKE);
            if (ring.supports(IoUring.IORING_OP_RECV) && ring.supports(IoUring.IORING_OP_SEND)) {
                try {
                    bufs = BufRing.register(ring, 0, config.buffers(), config.bufferSize());
                } catch (IOException e) {
                    bufs = null;   // before Linux 5.19 (no PBUF_RING): TCP streams stay readiness
                }
            }
            UringDriver d = new UringDriver(ring, efd, bufs, config);
            d.poll = pollOver.apply(d.fds);
            return d;
        } catch (IOException | RuntimeException e) {
            if (bufs != null) {
                Closing.quietly(bufs::close, e);
            }
            int opened = efd;
            if (opened >= 0) {
                Closing.quietly(() -> Unistd.close(opened), e);
            }
            Closing.quietly(ring::close, e);
            throw e;
        }
    }

    @Override
    public Backend backend() {
        return Backend.IO_URING;
    }

    @Override
    public boolean completions() {
        return recv != null;
    }

    /** The Poll whose Registry the loop's sources register through (into {@link LoopFds}). */
    @Override
    public Poll poll() {
        return poll;
    }

    /** Submits what is queued and runs pending completions' task work, now (a deregistration). */
    void submitNow() throws IOException {
        ring.enable();   // on first use: the loop's thread becomes its one submitter
        ring.submitAndWait(0, 0);
    }

    /** Whether no completion waits unreaped (in the ring or the kernel's overflow list). */
    boolean quiet() {
        return ring.ready() == 0 && !ring.cqOverflowed();
    }

    /** {@link #submitNow} if anything is queued. */
    void submitPending() throws IOException {
        if (ring.pending() > 0) {
            submitNow();
        }
    }

    // ---- running ----

    @Override
    public int run(long timeoutNanos, Dispatch dispatch) throws IOException {
        if (!running) {
            running = true;
            ring.enable();   // on first use: the loop's thread becomes its one submitter,
            ring.registerFd();   // and enters by a registered ring fd (it closes the driver too)
        }
        flushSends();
        if (recv != null) {
            recv.refill();
        }
        int toSubmit = ring.publish();
        boolean ready = ring.ready() > 0 || reports.pending();
        ring.enterAndWait(toSubmit, 1, ready ? 0 : timeoutNanos < 0 ? -1 : timeoutNanos);
        dispatch.awake();
        reapAll();
        // Handlers run only now, one call per registration: what a handler's deregistration or
        // read makes the kernel post meanwhile is noted for the next run, which does not wait.
        return reports.flush(dispatch);
    }

    /** Reaps every completion that waits (and the overflowed ones): bookkeeping and notes, no handler. */
    private void reapAll() throws IOException {
        while (ring.reap(sink, 1024) > 0) {
            // completions only arrive in an enter (ours above, or reap's overflow flush)
        }
    }

    /**
     * A stream's read found nothing kept while completions wait unreaped: reaps them now, calling
     * no handler (readiness is noted for the next flush). Then the stream's own completions are in
     * its kept list, and with {@code DEFER_TASKRUN} none of its bytes is in flight (see the package docs).
     */
    void absorb() throws IOException {
        absorbs++;
        reapAll();
    }

    /** Streams' data calls belong to the ring's thread: their state is that thread's alone. */
    void checkThread() {
        Thread i = ring.enabler();
        if (i != null && i != Thread.currentThread()) {
            throw new IllegalStateException("a TCP stream registered with an io_uring event loop is read and written on"
                    + " the loop's thread (" + i.getName() + "), not on " + Thread.currentThread().getName());
        }
    }

    private void flushSends() throws IOException {
        CompletionStream s;
        while ((s = dirty.poll()) != null) {
            s.send.flush();
        }
    }

    private void complete(long ud, int res, int cqeFlags) throws IOException {
        if (ud < 0) {
            if (ud == WAKE && (cqeFlags & IoUring.IORING_CQE_F_MORE) == 0 && !closed) {
                ring.sqes.pollAdd(eventFd, EPoll.EPOLLIN, true, WAKE);
            }
            return;   // a wake-up (its only job was to end the wait), or an ignored removal/cancel
        }
        long kind = ud & KIND;
        long base = ud & ~KIND;
        boolean more = (cqeFlags & IoUring.IORING_CQE_F_MORE) != 0;
        if (kind == 0) {
            polls.complete(ud, res, cqeFlags, report);
        } else if (kind == SEND) {
            int i = sends.slot(base);
            CompletionStream s = i < 0 ? null : sends.owner(i);
            if (s != null) {
                s.send.onSend(res);
            }
        } else if (kind == ACCEPT) {
            AcceptQueue a = fds.listener(polls.slots.owner(base), base);
            if (a != null) {
                a.onAccept(res, more);
            } else if (res >= 0) {
                AcceptQueue.closeQuietly(res);   // accepted for a listener that is gone: nobody's
            }
        } else if (kind == ACCEPT_POLL) {
            AcceptQueue a = fds.listener(polls.slots.owner(base), base);
            if (a != null) {
                a.onPoll(res);
            }
        } else {
            if (kind == RECV && !more) {
                recv.armed--;
            }
            if (BufRing.bufferId(cqeFlags) >= 0) {
                recv.handedOut();
            }
            CompletionStream s = fds.stream(polls.slots.owner(base), base);
            if (s == null && kind == CONNECT) {
                fds.connectOrphanEnded(base);   // a cancelled connect: its sockaddr is free now
            } else if (s == null) {
                if (BufRing.bufferId(cqeFlags) >= 0) {
                    recv.recycle(BufRing.bufferId(cqeFlags));   // stale: the buffer goes straight back
                }
            } else if (kind == RECV) {
                s.onRecv(res, cqeFlags);
            } else {
                s.onConnect(res);
            }
        }
    }

    // ---- what streams ask of their driver ----

    Ring ring() {
        return ring;
    }

    SendBuffers sends() {
        return sends;
    }

    RecvBuffers recv() {
        return recv;
    }

    /** Where readiness is noted, by fd, for the run's one report per registration. */
    Reports reports() {
        return reports;
    }

    void dirty(CompletionStream s) {
        dirty.add(s);
    }

    // ---- counters (tests, stats) ----

    /** How many {@code io_uring_enter} calls this driver made. */
    @Override
    public long kernelCalls() {
        return ring.enterCalls();
    }

    /** Provided buffers held by streams (tests: back to 0 once every stream is gone). */
    int buffersHeld() {
        return recv.held();
    }

    /** Send buffers held by streams (tests). */
    int sendBuffersHeld() {
        return sends.held();
    }

    long rearms() {
        return polls.rearms();
    }

    // ---- wake-ups and closing ----

    @Override
    public void wakeup() {
        int s;
        do {
            s = wakeState.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!wakeState.compareAndSet(s, s + REF));
        try {
            EventFd.signal(eventFd);
        } catch (IOException | RuntimeException e) {
            // nobody to tell; the loop wakes by its timeout
        } finally {
            wakeState.addAndGet(-REF);
        }
    }

    /**
     * Cancels everything in flight and waits (a bounded time) for the kernel to hand back every
     * send buffer and end every recv, then frees the buffers, the ring and the eventfd. Loop thread.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        poll.close();
        Closing c = new Closing();
        boolean enabled = ring.enabler() != null;
        if (enabled && Thread.currentThread() == ring.enabler()) {
            c.run(this::drainInFlight);
            if (recv != null && recv.armed == 0) {
                c.run(recv::close);
            }
        }
        sends.close();   // frees nothing while a send is in flight: the kernel may still read it
        c.run(ring::close);
        if (recv != null && (recv.armed == 0 || !enabled)) {
            Closing.quietly(recv::close, new IOException());   // done above, or the ring is gone: only the memory
        }
        int w;
        do {
            w = wakeState.get();
        } while (!wakeState.compareAndSet(w, w | CLOSED));
        while (wakeState.get() != CLOSED) {
            Thread.onSpinWait();   // a wake-up is writing to the eventfd: a system call's time
        }
        c.run(() -> Unistd.close(eventFd));
        c.rethrow();
    }

    /**
     * Cancels everything in flight and reaps until every send and recv has ended (at most 2 s): only
     * then may their buffers be freed. Every stream is detached by now, so completions only release.
     */
    private void drainInFlight() throws IOException {
        ring.sqes.cancelAll(PollSet.IGNORE);
        long deadline = System.nanoTime() + 2_000_000_000L;
        do {
            ring.submitAndWait(1, 50_000_000L);
            while (ring.reap(sink, 1024) > 0) {
                // releases only
            }
        } while ((sends.inFlight() > 0 || recv != null && recv.armed > 0 || fds.connectsOrphaned() > 0)
                && System.nanoTime() - deadline < 0);
    }

    @Override
    public String toString() {
        return "UringDriver{" + ring + (recv == null ? ", readiness only}" : "}");
    }
}
