package io.pollen.poll.uring;

import io.pollen.sys.linux.IoUring;
import io.pollen.sys.linux.Mman;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.pollen.sys.linux.IoUring.loadAcquire;
import static io.pollen.sys.linux.IoUring.storeRelease;
import static io.pollen.sys.linux.IoUringLayout.CQRING_OFFSETS;
import static io.pollen.sys.linux.IoUringLayout.CQE_SIZE;
import static io.pollen.sys.linux.IoUringLayout.PARAMS;
import static io.pollen.sys.linux.IoUringLayout.PARAMS_CQ_OFF;
import static io.pollen.sys.linux.IoUringLayout.PARAMS_SQ_OFF;
import static io.pollen.sys.linux.IoUringLayout.RSRC_UPDATE;
import static io.pollen.sys.linux.IoUringLayout.SQRING_OFFSETS;
import static io.pollen.sys.linux.IoUringLayout.off;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One io_uring instance: its fd, the mapped submission and completion rings, and the SQE array.
 * Internal; not thread-safe (one thread at a time, or the owner's lock, uses it).
 *
 * <h2>Setup</h2>
 * {@link #open} asks for the wanted setup flags and, while the kernel answers EINVAL, drops them
 * one at a time, newest first ({@link RingSetup#FALLBACK_ORDER}); {@link #flags()} says what was taken.
 * The rings are mapped once ({@code IORING_FEAT_SINGLE_MMAP}) or twice; the SQ index array is
 * filled once with the identity, so SQE {@code i} always sits in array slot {@code i}.
 *
 * <h2>Submission</h2>
 * {@link Sqes#next} hands out a zeroed SQE (submitting first if the queue is full); nothing reaches
 * the kernel until {@link #submit} or {@link #submitAndWait}, so many operations go in one
 * {@code io_uring_enter}. The tail is published with a release store, the kernel's head read with
 * an acquire load. {@link #enterCalls()} counts the system calls (tests check batching with it).
 *
 * <h2>Completion</h2>
 * {@link #reap} hands each CQE to a {@link Completion} and then publishes the new head once. With
 * {@code IORING_FEAT_NODROP} (required by {@link UringSupport}) a full CQ does not lose
 * completions: the kernel keeps them aside and sets {@code IORING_SQ_CQ_OVERFLOW};
 * {@link #reap} flushes them back with an {@code io_uring_enter(GETEVENTS)} once the ring has room.
 */
public final class Ring implements AutoCloseable {
    /** Receives one completion from {@link #reap}. */
    public interface Completion {
        void complete(long userData, int res, int flags) throws IOException;
    }

    final int fd;
    private final int flags;
    private final int features;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;   // the same mapping as sqRing with SINGLE_MMAP
    private final MemorySegment sqeArray;
    private final long sqHead, sqTail, sqFlags;
    private final long cqHead, cqTail, cqOverflow, cqes;
    private final int sqMask, sqEntries, cqMask, cqEntries;
    private final MemorySegment waitArg;   // io_uring_getevents_arg + __kernel_timespec
    private final Probe probe;
    final Sqes sqes;
    private int localTail;
    private int localCqHead;
    private long enters;
    private long overflowFlushes;
    private Thread enabler;
    private Thread registrant;                // the thread whose table holds the ring fd (registerFd), or null
    private int registeredSlot = -1;          // its slot there
    private Thread submitter;                 // the first thread that submitted (the usual only one)
    private java.util.Set<Thread> others;     // any later ones; rare
    private boolean closed;

    Ring(int fd, MemorySegment p, MemorySegment sqRing, MemorySegment cqRing, MemorySegment sqeArray) {
        this.fd = fd;
        this.flags = p.get(JAVA_INT, off(PARAMS, "flags"));
        this.features = p.get(JAVA_INT, off(PARAMS, "features"));
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqeArray = sqeArray;
        sqHead = sq(p, "head");
        sqTail = sq(p, "tail");
        sqFlags = sq(p, "flags");
        sqMask = sqRing.get(JAVA_INT, sq(p, "ring_mask"));
        sqEntries = sqRing.get(JAVA_INT, sq(p, "ring_entries"));
        cqHead = cq(p, "head");
        cqTail = cq(p, "tail");
        cqOverflow = cq(p, "overflow");
        cqes = cq(p, "cqes");
        cqMask = cqRing.get(JAVA_INT, cq(p, "ring_mask"));
        cqEntries = cqRing.get(JAVA_INT, cq(p, "ring_entries"));
        long array = sq(p, "array");
        for (int i = 0; i < sqEntries; i++) {
            sqRing.set(JAVA_INT, array + 4L * i, i);
        }
        localTail = loadAcquire(sqRing, sqTail);
        localCqHead = loadAcquire(cqRing, cqHead);
        waitArg = Arena.ofAuto().allocate(40, 8);
        waitArg.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, waitArg.address() + 24);   // arg.ts -> the timespec after it
        sqes = new Sqes(this, sqeArray);
        probe = Probe.of(fd);
    }

    static long sq(MemorySegment p, String field) {
        return p.get(JAVA_INT, PARAMS_SQ_OFF + off(SQRING_OFFSETS, field)) & 0xffff_ffffL;
    }

    static long cq(MemorySegment p, String field) {
        return p.get(JAVA_INT, PARAMS_CQ_OFF + off(CQRING_OFFSETS, field)) & 0xffff_ffffL;
    }

    /**
     * Sets up a ring of {@code entries} SQEs and {@code cqEntries} CQEs (0: the kernel's default,
     * twice the SQ), with as many of {@code wantedFlags} as the kernel accepts ({@link RingSetup}).
     */
    public static Ring open(int entries, int cqEntries, int wantedFlags) throws IOException {
        return RingSetup.open(entries, cqEntries, wantedFlags);
    }

    /** The setup flags the kernel accepted (a subset of the wanted ones, plus CLAMP/CQSIZE). */
    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    /** {@code io_uring_params.features} as the kernel reported them. */
    public int features() {
        return features;
    }

    public boolean hasFeature(int feature) {
        return (features & feature) == feature;
    }

    /** Whether the kernel supports opcode {@code op} ({@code IORING_REGISTER_PROBE}). */
    public boolean supports(int op) {
        return probe.supports(op);
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    /**
     * Enables a ring set up with {@code IORING_SETUP_R_DISABLED}: with {@code SINGLE_ISSUER} the
     * calling thread becomes the one submitter (a loop-owned ring is set up by whoever builds the
     * loop, and enabled by the loop's thread on its first run). Idempotent; {@code io_uring_enter}
     * enables a disabled ring itself (an SQ that filled before the first run submits).
     */
    public void enable() throws IOException {
        if (enabler == null && hasFlag(IoUring.IORING_SETUP_R_DISABLED)) {
            IoUring.register(fd, IoUring.IORING_REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0);
        }
        if (enabler == null) {
            enabler = Thread.currentThread();
        }
    }

    /**
     * Registers the ring fd in the calling thread's own table ({@code IORING_REGISTER_RING_FDS},
     * Linux 5.18): that thread's {@code io_uring_enter} calls then name the ring by its slot, and
     * the kernel skips looking the fd up. Why: in a process with more than one thread (every JVM)
     * that lookup takes and drops a reference on the ring's file, two atomic operations per call;
     * an event loop enters once or more per iteration. Other threads go on entering by fd.
     *
     * <p>Best effort, false where it is not taken: a kernel without it, a thread that holds its
     * 16 registrations already, a virtual thread (the kernel's table belongs to its carrier, which
     * may change under it). The registration holds the ring: {@link #close} on this thread drops
     * it. Closed by another thread, the ring would live on until this one ends; the runtime closes
     * a loop's driver on the loop's own thread, the one that registers.
     */
    public boolean registerFd() {
        Thread t = Thread.currentThread();
        if (registeredSlot >= 0 || closed || t.isVirtual()) {
            return registeredSlot >= 0 && registrant == t;
        }
        try {
            int slot = ringFds(IoUring.IORING_REGISTER_RING_FDS, -1, fd);   // any free slot
            if (slot >= 0) {
                registeredSlot = slot;
                registrant = t;
            }
        } catch (IOException e) {
            // EINVAL (before 5.18) or EBUSY (this thread's 16 slots are taken): enter by fd
        }
        return registeredSlot >= 0;
    }

    /** The slot {@link #registerFd} got, or -1. */
    public int registeredSlot() {
        return registeredSlot;
    }

    /** The thread that enabled the ring (its one submitter with SINGLE_ISSUER), or null before. */
    public Thread enabler() {
        return enabler;
    }

    /** SQEs written but not yet consumed by the kernel. */
    public int pending() {
        return localTail - loadAcquire(sqRing, sqHead);
    }

    /** How many {@code io_uring_enter} calls this ring made. */
    public long enterCalls() {
        return enters;
    }

    /** How many times {@link #reap} flushed the kernel's overflowed completions back (tests). */
    public long overflowFlushes() {
        return overflowFlushes;
    }

    /** The kernel's count of CQEs it had to drop (only when even its overflow list failed); 0 here. */
    public int dropped() {
        return loadAcquire(cqRing, cqOverflow);
    }

    /** Whether completions wait in the kernel's overflow list ({@code IORING_SQ_CQ_OVERFLOW}). */
    public boolean cqOverflowed() {
        return (loadAcquire(sqRing, sqFlags) & IoUring.IORING_SQ_CQ_OVERFLOW) != 0;
    }

    /** Completions ready to {@link #reap}. */
    public int ready() {
        return loadAcquire(cqRing, cqTail) - localCqHead;
    }

    /** Index of the next free SQE, or -1 if the queue is full; advances the local tail. */
    int claimSqe() {
        if (localTail - loadAcquire(sqRing, sqHead) >= sqEntries) {
            return -1;
        }
        return localTail++ & sqMask;
    }

    /** Submits what is queued, without waiting: one {@code io_uring_enter}, none if nothing is queued. */
    public int submit() throws IOException {
        storeRelease(sqRing, sqTail, localTail);
        int n = pending();
        if (n == 0) {
            return 0;
        }
        return enter(n, 0, 0, false, 0);
    }

    /**
     * Publishes the queued SQEs and returns how many the next {@link #enterAndWait} should submit;
     * split from it so that an owner may publish under its lock and wait outside it.
     */
    public int publish() {
        storeRelease(sqRing, sqTail, localTail);
        return pending();
    }

    /**
     * One {@code io_uring_enter} that submits what is queued and waits until {@code minComplete}
     * completions are ready or {@code timeoutNanos} passed ({@code < 0}: no limit; 0: no wait, but
     * overflowed completions are flushed back and pending task work runs).
     */
    public int submitAndWait(int minComplete, long timeoutNanos) throws IOException {
        return enterAndWait(publish(), minComplete, timeoutNanos);
    }

    /** As {@link #submitAndWait} with a count from {@link #publish}; may run outside the owner's lock. */
    public int enterAndWait(int toSubmit, int minComplete, long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            return enter(toSubmit, 0, IoUring.IORING_ENTER_GETEVENTS, false, 0);
        }
        return enter(toSubmit, minComplete, IoUring.IORING_ENTER_GETEVENTS, timeoutNanos > 0, timeoutNanos);
    }

    private int enter(int toSubmit, int minComplete, int enterFlags, boolean timed, long timeoutNanos) throws IOException {
        if (enabler == null) {
            enable();
        }
        enters++;
        if (toSubmit > 0) {
            noteSubmitter();
        }
        int ring = fd;
        if (registrant == Thread.currentThread()) {
            ring = registeredSlot;
            enterFlags |= IoUring.IORING_ENTER_REGISTERED_RING;
        }
        if (!timed) {
            return Math.max(0, IoUring.enter(ring, toSubmit, minComplete, enterFlags, MemorySegment.NULL, 0));
        }
        waitArg.set(java.lang.foreign.ValueLayout.JAVA_LONG, 24, timeoutNanos / 1_000_000_000L);
        waitArg.set(java.lang.foreign.ValueLayout.JAVA_LONG, 32, timeoutNanos % 1_000_000_000L);
        return Math.max(0, IoUring.enter(ring, toSubmit, minComplete, enterFlags | IoUring.IORING_ENTER_EXT_ARG, waitArg, 24));
    }

    /**
     * Hands up to {@code max} ready completions to {@code sink}, oldest first, then publishes the
     * new head. If the kernel holds overflowed completions and the ring drained, they are flushed
     * back (one {@code io_uring_enter}) and reaped in the same call, up to {@code max}.
     *
     * @return how many completions were handed over
     */
    public int reap(Completion sink, int max) throws IOException {
        int n = reapRing(sink, max);
        if (n < max && cqOverflowed()) {
            overflowFlushes++;
            enter(0, 0, IoUring.IORING_ENTER_GETEVENTS, false, 0);
            n += reapRing(sink, max - n);
        }
        return n;
    }

    private int reapRing(Completion sink, int max) throws IOException {
        int tail = loadAcquire(cqRing, cqTail);
        int n = 0;
        try {
            while (localCqHead != tail && n < max) {
                long at = cqes + (long) (localCqHead & cqMask) * CQE_SIZE;
                long ud = cqRing.get(java.lang.foreign.ValueLayout.JAVA_LONG, at);
                int res = cqRing.get(JAVA_INT, at + 8);
                int fl = cqRing.get(JAVA_INT, at + 12);
                localCqHead++;   // consumed before the sink runs: a sink that throws does not see it twice
                n++;
                sink.complete(ud, res, fl);
            }
        } finally {
            storeRelease(cqRing, cqHead, localCqHead);
        }
        return n;
    }

    /**
     * Unmaps the rings and closes the ring fd: the kernel cancels whatever is in flight. Idempotent.
     *
     * <p>Not guaranteed: quiet afterwards. The kernel tears the ring down in a work queue and, a few
     * milliseconds later (after an RCU grace period), queues one task-work callback on every thread
     * that ever submitted to it, announced like a signal: a blocking call that thread is in by
     * then ({@code epoll_wait}, {@code io_uring_enter}) returns early with {@code EINTR}, once.
     * Pollen's polls report that as an early empty poll, which their contract allows.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        boolean mine = submittedFrom(Thread.currentThread());
        if (mine) {
            cancelInFlight();
        }
        if (registrant == Thread.currentThread()) {
            first = unregisterFd();
        }
        for (MemorySegment m : new MemorySegment[] {sqeArray, cqRing != sqRing ? cqRing : null, sqRing}) {
            try {
                if (m != null) {
                    Mman.munmap(m);
                }
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            Unistd.close(fd);
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    /** Drops {@link #registerFd}'s registration (its thread only), else the ring outlives its fd. */
    private IOException unregisterFd() {
        try {
            ringFds(IoUring.IORING_UNREGISTER_RING_FDS, registeredSlot, 0);   // data must be 0 here
            registrant = null;
            registeredSlot = -1;
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * One {@code io_uring_rsrc_update} for {@code opcode}: register {@code data} (this ring's fd) at
     * {@code slot} (-1: any free one), or unregister {@code slot} ({@code data} 0). Returns the slot,
     * or -1 if the kernel did none.
     */
    private int ringFds(int opcode, int slot, long data) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment up = a.allocate(RSRC_UPDATE);
            up.set(JAVA_INT, off(RSRC_UPDATE, "offset"), slot);
            up.set(java.lang.foreign.ValueLayout.JAVA_LONG, off(RSRC_UPDATE, "data"), data);
            return IoUring.register(fd, opcode, up, 1) == 1 ? up.get(JAVA_INT, off(RSRC_UPDATE, "offset")) : -1;
        }
    }

    /** Remembers the calling thread as one the kernel knows as a submitter of this ring. */
    private void noteSubmitter() {
        Thread t = Thread.currentThread();
        if (t == submitter) {
            return;
        }
        if (submitter == null) {
            submitter = t;
        } else {
            if (others == null) {
                others = new java.util.HashSet<>();
            }
            others.add(t);
        }
    }

    private boolean submittedFrom(Thread t) {
        return t == submitter || others != null && others.contains(t);
    }

    /**
     * Cancels what is in flight before the fd goes, in this thread's own {@code io_uring_enter}:
     * the cancelled operations' completions run as task work of the threads that submitted them,
     * and done here (the owner's thread) they run now, instead of later from the kernel's ring
     * teardown, where they would interrupt whatever blocking call that thread is in by then.
     * Best effort: a kernel without {@code CANCEL_ANY} (before 5.19) leaves it to the teardown.
     */
    private void cancelInFlight() {
        try {
            sqes.cancelAll(-1L);
            submitAndWait(0, 0);
        } catch (IOException | RuntimeException e) {
            // closing anyway; the kernel's teardown cancels whatever is left
        }
    }

    @Override
    public String toString() {
        return "Ring{fd=" + fd + ", sq=" + sqEntries + ", cq=" + cqEntries + ", flags=0x" + Integer.toHexString(flags)
                + ", features=0x" + Integer.toHexString(features) + (closed ? ", closed}" : "}");
    }
}
