package io.pollen.poll.uring;

import io.pollen.sys.linux.IoUring;
import io.pollen.sys.linux.IoUringLayout;
import io.pollen.sys.linux.Mman;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static io.pollen.sys.linux.IoUringLayout.BUF_SIZE;
import static io.pollen.sys.linux.IoUringLayout.off;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}, Linux 5.19): {@code count} buffers of
 * {@code size} bytes the kernel picks from for operations flagged {@code IOSQE_BUFFER_SELECT} with
 * this group id (multishot recv). Internal; used by the ring's owner thread only.
 *
 * <p><b>Ownership.</b> A buffer in the ring belongs to the kernel. A completion with
 * {@code IORING_CQE_F_BUFFER} hands buffer {@link #bufferId} to the application, which reads it and
 * gives it back with {@link #recycle}; until then the kernel does not touch it. When every buffer
 * is out, a multishot recv ends with {@code -ENOBUFS}: the owner recycles and re-arms (nothing is
 * lost, the data waits in the socket).
 *
 * <p>The ring's entries live in an anonymous mapping (page-aligned, as the kernel requires); the
 * buffers in one native block freed by {@link #close}, never by the GC.
 */
public final class BufRing implements AutoCloseable {
    private final Ring ring;
    private final int bgid;
    private final int count;
    private final int size;
    private final MemorySegment entries;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffers;
    private int tail;
    private boolean closed;

    private BufRing(Ring ring, int bgid, int count, int size, MemorySegment entries) {
        this.ring = ring;
        this.bgid = bgid;
        this.count = count;
        this.size = size;
        this.entries = entries;
        this.buffers = arena.allocate((long) count * size, 4096);
    }

    /** Registers group {@code bgid} of {@code count} (a power of two, at most 32768) buffers of {@code size} bytes, all given to the kernel. */
    public static BufRing register(Ring ring, int bgid, int count, int size) throws IOException {
        if (Integer.bitCount(count) != 1 || count > 32768 || size < 1) {
            throw new IllegalArgumentException("count must be a power of two up to 32768, size >= 1: " + count + ", " + size);
        }
        MemorySegment mem = Mman.mmap(count * BUF_SIZE, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(IoUringLayout.BUF_REG);
            reg.set(JAVA_LONG, off(IoUringLayout.BUF_REG, "ring_addr"), mem.address());
            reg.set(JAVA_INT, off(IoUringLayout.BUF_REG, "ring_entries"), count);
            reg.set(JAVA_SHORT, off(IoUringLayout.BUF_REG, "bgid"), (short) bgid);
            IoUring.register(ring.fd, IoUring.IORING_REGISTER_PBUF_RING, reg, 1);
        } catch (IOException | RuntimeException e) {
            try {
                Mman.munmap(mem);
            } catch (IOException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
        BufRing br = new BufRing(ring, bgid, count, size, mem);
        for (int bid = 0; bid < count; bid++) {
            br.put(bid);
        }
        br.publish();
        return br;
    }

    public int groupId() {
        return bgid;
    }

    /** The buffer id a completion's flags carry ({@code IORING_CQE_F_BUFFER} set), or -1. */
    public static int bufferId(int cqeFlags) {
        return (cqeFlags & IoUring.IORING_CQE_F_BUFFER) != 0 ? cqeFlags >>> IoUring.IORING_CQE_BUFFER_SHIFT : -1;
    }

    /** The first {@code length} bytes of buffer {@code bid} (valid until it is recycled). */
    public MemorySegment buffer(int bid, int length) {
        return buffers.asSlice((long) bid * size, length);
    }

    /**
     * All buffers as one {@link ByteBuffer} (buffer {@code bid} at {@code bid * size}), to copy
     * out of with absolute bulk gets, without a view per read. Valid until {@link #close}.
     */
    public ByteBuffer bytes() {
        return buffers.asByteBuffer();
    }

    /** Gives buffer {@code bid} back to the kernel. */
    public void recycle(int bid) {
        put(bid);
        publish();
    }

    private void put(int bid) {
        long at = (long) (tail & (count - 1)) * BUF_SIZE;
        entries.set(JAVA_LONG, at, buffers.address() + (long) bid * size);
        entries.set(JAVA_INT, at + 8, size);
        entries.set(JAVA_SHORT, at + 12, (short) bid);
        tail++;
    }

    private void publish() {
        IoUring.storeRelease16(entries, IoUringLayout.BUF_RING_TAIL, tail);
    }

    /** Unregisters the group and frees its memory; only once no operation can pick from it. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(IoUringLayout.BUF_REG);
            reg.set(JAVA_SHORT, off(IoUringLayout.BUF_REG, "bgid"), (short) bgid);
            IoUring.register(ring.fd, IoUring.IORING_UNREGISTER_PBUF_RING, reg, 1);
        } finally {
            Mman.munmap(entries);
            arena.close();
        }
    }
}
