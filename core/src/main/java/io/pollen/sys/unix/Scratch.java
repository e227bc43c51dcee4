package io.pollen.sys.unix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Per-thread native memory that the wrappers reuse, so that no call allocates an {@code Arena}:
 * a {@code sockaddr_storage}, a {@code socklen_t}, a small struct buffer (an {@code epoll_event},
 * a {@code struct linger}, an {@code int} option, two pipe fds), a {@code msghdr}, an iovec array,
 * and a staging area for heap {@link ByteBuffer}s (the JDK's "temporary direct buffers").
 *
 * <p>Each field is used within one wrapper call and never across calls, so two wrappers on one
 * thread cannot clash; a wrapper that uses the staging area and the iovec array together takes both
 * from here. Segments come from {@link Arena#ofAuto()}: a thread's scratch is freed by the GC with
 * the thread. The staging area grows on demand up to {@link #STAGING_MAX}; transfers through it are
 * capped at that size, which non-blocking I/O allows (a short read or write).
 *
 * <p>Not guaranteed: virtual threads that do I/O themselves each get their own (small) scratch;
 * the iovec array and the staging area are only allocated on first use.
 */
public final class Scratch {
    /** Largest staging area per thread: one maximal UDP datagram (65,507 bytes) fits. */
    public static final int STAGING_MAX = 64 * 1024;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** A {@code struct sockaddr_storage} (128 bytes). */
    public final MemorySegment sockaddr;
    /** A {@code socklen_t} (4 bytes), the in/out length for {@link #sockaddr}. */
    public final MemorySegment socklen;
    /** 16 bytes for a small struct: epoll_event, linger, an int option, pipe fds, an eventfd count. */
    public final MemorySegment small;
    /** A {@code struct msghdr} (56 bytes on LP64 Linux). */
    public final MemorySegment msghdr;

    private MemorySegment iovecs;
    private MemorySegment staging = MemorySegment.NULL;
    private ByteBuffer stagingBuffer;

    private Scratch() {
        Arena arena = Arena.ofAuto();
        sockaddr = arena.allocate(SockAddr.STORAGE_SIZE, 8);
        socklen = arena.allocate(4, 4);
        small = arena.allocate(16, 8);
        msghdr = arena.allocate(IoVec.MSGHDR.byteSize(), 8);
    }

    /** This thread's scratch. */
    public static Scratch get() {
        return SCRATCH.get();
    }

    /** An array of {@link io.pollen.sys.unix.Linux#IOV_MAX} iovecs. */
    public MemorySegment iovecs() {
        MemorySegment s = iovecs;
        if (s == null) {
            s = iovecs = Arena.ofAuto().allocate(IoVec.IOVEC.byteSize() * IoVec.MAX, 8);
        }
        return s;
    }

    /**
     * The staging area, at least {@code min(wanted, STAGING_MAX)} bytes long; its content is
     * undefined. Callers transfer at most its size.
     */
    public MemorySegment staging(long wanted) {
        long want = Math.min(Math.max(wanted, 1), STAGING_MAX);
        if (staging.byteSize() < want) {
            long size = Math.min(Math.max(Long.highestOneBit(want - 1) << 1, 4096), STAGING_MAX);
            staging = Arena.ofAuto().allocate(size, 8);
            stagingBuffer = staging.asByteBuffer();
        }
        return staging;
    }

    /** The staging area (after {@link #staging(long)}) as a ByteBuffer, for absolute bulk copies. */
    public ByteBuffer stagingBuffer() {
        return stagingBuffer;
    }
}
