package io.pollen.poll.uring;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.linux.IoUringLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Which opcodes a ring's kernel supports, from {@code IORING_REGISTER_PROBE} (Linux 5.6), read once
 * per ring. A kernel without the probe answers EINVAL: then nothing is known to be supported.
 */
final class Probe {
    private static final int MAX_OPS = 256;

    private final long[] bits = new long[MAX_OPS / 64];
    private final int lastOp;

    private Probe(int lastOp) {
        this.lastOp = lastOp;
    }

    static Probe of(int ringFd) {
        long opSize = IoUringLayout.PROBE_OP.byteSize();
        long opsAt = IoUringLayout.PROBE.byteSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(opsAt + opSize * MAX_OPS, 8);
            IoUring.register(ringFd, IoUring.IORING_REGISTER_PROBE, p, MAX_OPS);
            int len = Byte.toUnsignedInt(p.get(JAVA_BYTE, IoUringLayout.off(IoUringLayout.PROBE, "ops_len")));
            Probe probe = new Probe(Byte.toUnsignedInt(p.get(JAVA_BYTE, 0)));
            long flagsAt = IoUringLayout.off(IoUringLayout.PROBE_OP, "flags");
            for (int i = 0; i < len; i++) {
                long at = opsAt + i * opSize;
                int op = Byte.toUnsignedInt(p.get(JAVA_BYTE, at));
                if ((p.get(JAVA_SHORT, at + flagsAt) & IoUring.IO_URING_OP_SUPPORTED) != 0) {
                    probe.bits[op >>> 6] |= 1L << op;
                }
            }
            return probe;
        } catch (NativeIOException e) {
            return new Probe(-1);
        }
    }

    boolean supports(int op) {
        return op >= 0 && op < MAX_OPS && (bits[op >>> 6] & (1L << op)) != 0;
    }

    /** The highest opcode the kernel knows, or -1 if it could not be probed. */
    int lastOp() {
        return lastOp;
    }
}
