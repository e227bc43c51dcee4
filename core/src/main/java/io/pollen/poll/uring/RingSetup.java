package io.pollen.poll.uring;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.linux.Mman;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.pollen.sys.linux.IoUringLayout.CQE_SIZE;
import static io.pollen.sys.linux.IoUringLayout.PARAMS;
import static io.pollen.sys.linux.IoUringLayout.SQE_SIZE;
import static io.pollen.sys.linux.IoUringLayout.off;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * How a {@link Ring} comes to be: {@code io_uring_setup} with the wanted flags, dropping them one at
 * a time while the kernel answers EINVAL ({@link #FALLBACK_ORDER}: a loop-owned driver asks for
 * {@code SINGLE_ISSUER | DEFER_TASKRUN | COOP_TASKRUN | SUBMIT_ALL}, which older kernels lack), then
 * the mappings of the rings ({@code IORING_FEAT_SINGLE_MMAP}: one for both) and of the SQE array.
 * On any failure what was mapped is unmapped and the ring fd closed.
 */
final class RingSetup {
    /** Setup flags {@link #open} may drop on EINVAL, in the order it drops them. */
    static final int[] FALLBACK_ORDER = {IoUring.IORING_SETUP_DEFER_TASKRUN, IoUring.IORING_SETUP_SINGLE_ISSUER,
            IoUring.IORING_SETUP_COOP_TASKRUN, IoUring.IORING_SETUP_SUBMIT_ALL};

    private RingSetup() {
    }

    /**
     * Sets up a ring of {@code entries} SQEs and {@code cqEntries} CQEs (0: the kernel's default,
     * twice the SQ), with as many of {@code wantedFlags} as the kernel accepts.
     */
    static Ring open(int entries, int cqEntries, int wantedFlags) throws IOException {
        int want = wantedFlags | IoUring.IORING_SETUP_CLAMP | (cqEntries > 0 ? IoUring.IORING_SETUP_CQSIZE : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(PARAMS);
            int ringFd;
            int drop = 0;
            while (true) {
                p.fill((byte) 0);
                p.set(JAVA_INT, off(PARAMS, "flags"), want);
                p.set(JAVA_INT, off(PARAMS, "cq_entries"), cqEntries);
                try {
                    ringFd = IoUring.setup(entries, p);
                    break;
                } catch (NativeIOException e) {
                    while (e.errno() == Errno.EINVAL && drop < FALLBACK_ORDER.length && (want & FALLBACK_ORDER[drop]) == 0) {
                        drop++;
                    }
                    if (e.errno() != Errno.EINVAL || drop == FALLBACK_ORDER.length) {
                        throw e;
                    }
                    want &= ~FALLBACK_ORDER[drop++];
                }
            }
            return map(ringFd, p);
        }
    }

    private static Ring map(int ringFd, MemorySegment p) throws IOException {
        MemorySegment sq = null;
        MemorySegment cq = null;
        try {
            int sqN = p.get(JAVA_INT, off(PARAMS, "sq_entries"));
            int cqN = p.get(JAVA_INT, off(PARAMS, "cq_entries"));
            long sqSize = Ring.sq(p, "array") + 4L * sqN;
            long cqSize = Ring.cq(p, "cqes") + CQE_SIZE * cqN;
            int prot = Mman.PROT_READ | Mman.PROT_WRITE;
            int map = Mman.MAP_SHARED | Mman.MAP_POPULATE;
            boolean single = (p.get(JAVA_INT, off(PARAMS, "features")) & IoUring.IORING_FEAT_SINGLE_MMAP) != 0;
            sq = Mman.mmap(single ? Math.max(sqSize, cqSize) : sqSize, prot, map, ringFd, IoUring.IORING_OFF_SQ_RING);
            cq = single ? sq : Mman.mmap(cqSize, prot, map, ringFd, IoUring.IORING_OFF_CQ_RING);
            MemorySegment sqes = Mman.mmap(SQE_SIZE * sqN, prot, map, ringFd, IoUring.IORING_OFF_SQES);
            return new Ring(ringFd, p, sq, cq, sqes);
        } catch (IOException | RuntimeException e) {
            unmapQuietly(cq != sq ? cq : null, e);
            unmapQuietly(sq, e);
            try {
                Unistd.close(ringFd);
            } catch (IOException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    private static void unmapQuietly(MemorySegment m, Exception cause) {
        if (m != null) {
            try {
                Mman.munmap(m);
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
