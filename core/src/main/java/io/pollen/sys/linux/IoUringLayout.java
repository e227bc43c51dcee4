package io.pollen.sys.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * io_uring's structs, {@code <linux/io_uring.h>}, in the one place that chooses them per
 * architecture. Every field is fixed-width and naturally aligned, so x86_64 and aarch64 (both
 * little-endian LP64) share one layout; {@link #SUPPORTED} is false on any other architecture
 * (big-endian ones word-swap {@code poll32_events}), and the io_uring backend is then unavailable.
 *
 * <pre>
 * struct io_uring_params {                      struct io_sqring_offsets {   struct io_cqring_offsets {
 *     __u32 sq_entries, cq_entries, flags;          __u32 head, tail;            __u32 head, tail;
 *     __u32 sq_thread_cpu, sq_thread_idle;          __u32 ring_mask;             __u32 ring_mask;
 *     __u32 features, wq_fd, resv[3];               __u32 ring_entries;          __u32 ring_entries;
 *     struct io_sqring_offsets sq_off;              __u32 flags, dropped;        __u32 overflow, cqes;
 *     struct io_cqring_offsets cq_off;              __u32 array, resv1;          __u32 flags, resv1;
 * };                                                __u64 resv2; };              __u64 resv2; };
 *
 * struct io_uring_sqe {                         struct io_uring_cqe {
 *     __u8  opcode, flags;  __u16 ioprio;           __u64 user_data;
 *     __s32 fd;                                     __s32 res;
 *     union { __u64 off; __u64 addr2; };            __u32 flags;
 *     union { __u64 addr; __u64 splice_off_in; };   };
 *     __u32 len;
 *     union { __u32 rw_flags, poll32_events, msg_flags, timeout_flags, accept_flags,
 *             cancel_flags, ...; };
 *     __u64 user_data;
 *     union { __u16 buf_index; __u16 buf_group; } __attribute__((packed));
 *     __u16 personality;
 *     union { __s32 splice_fd_in; __u32 file_index; };
 *     __u64 addr3; __u64 __pad2[1];
 * };                                            // 64 bytes
 *
 * struct io_uring_buf { __u64 addr; __u32 len; __u16 bid; __u16 resv; };
 * struct io_uring_buf_ring { union { struct { __u64 resv1; __u32 resv2; __u16 resv3; __u16 tail; };
 *                                    struct io_uring_buf bufs[]; }; };   // tail overlays bufs[0].resv
 * struct io_uring_buf_reg { __u64 ring_addr; __u32 ring_entries; __u16 bgid; __u16 pad; __u64 resv[3]; };
 * struct io_uring_probe_op { __u8 op; __u8 resv; __u16 flags; __u32 resv2; };
 * struct io_uring_probe { __u8 last_op; __u8 ops_len; __u16 resv; __u32 resv2[3];
 *                         struct io_uring_probe_op ops[]; };
 * struct io_uring_getevents_arg { __u64 sigmask; __u32 sigmask_sz; __u32 pad; __u64 ts; };
 * struct __kernel_timespec { __kernel_time64_t tv_sec; long long tv_nsec; };
 * struct io_uring_rsrc_update { __u32 offset; __u32 resv; __aligned_u64 data; };
 * </pre>
 */
public final class IoUringLayout {
    private IoUringLayout() {
    }

    /** Whether this architecture has the layouts below (x86_64, aarch64). */
    public static final boolean SUPPORTED = supported(System.getProperty("os.arch", ""));

    static boolean supported(String arch) {
        return EPoll.isX86_64(arch) || arch.equals("aarch64");
    }

    private static StructLayout u32s(String... names) {
        MemoryLayout[] fields = new MemoryLayout[names.length + 1];
        for (int i = 0; i < names.length; i++) {
            fields[i] = JAVA_INT.withName(names[i]);
        }
        fields[names.length] = JAVA_LONG.withName("resv2");
        return MemoryLayout.structLayout(fields);
    }

    public static final StructLayout SQRING_OFFSETS =
            u32s("head", "tail", "ring_mask", "ring_entries", "flags", "dropped", "array", "resv1");
    public static final StructLayout CQRING_OFFSETS =
            u32s("head", "tail", "ring_mask", "ring_entries", "overflow", "cqes", "flags", "resv1");

    public static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"), CQRING_OFFSETS.withName("cq_off"));

    public static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"), JAVA_INT.withName("op_flags"), JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("splice_fd_in"), JAVA_LONG.withName("addr3"), JAVA_LONG.withName("pad2"));

    public static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));

    public static final StructLayout BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"));

    public static final StructLayout BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("pad"), MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"));

    public static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"), JAVA_BYTE.withName("resv"), JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    /** {@code struct io_uring_probe} without its flexible {@code ops[]} (which follows it). */
    public static final StructLayout PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"), JAVA_BYTE.withName("ops_len"), JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));

    public static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), JAVA_INT.withName("pad"),
            JAVA_LONG.withName("ts"));

    /** {@code struct __kernel_timespec}: 64-bit seconds on every architecture. */
    public static final StructLayout KERNEL_TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /** {@code struct io_uring_rsrc_update}: one ring fd to register ({@code data}) and its slot ({@code offset}). */
    public static final StructLayout RSRC_UPDATE = MemoryLayout.structLayout(
            JAVA_INT.withName("offset"), JAVA_INT.withName("resv"), JAVA_LONG.withName("data"));

    // Offsets the ring code reads and writes on the hot path.
    public static final long PARAMS_SQ_ENTRIES = off(PARAMS, "sq_entries");
    public static final long PARAMS_CQ_ENTRIES = off(PARAMS, "cq_entries");
    public static final long PARAMS_FLAGS = off(PARAMS, "flags");
    public static final long PARAMS_FEATURES = off(PARAMS, "features");
    public static final long PARAMS_SQ_OFF = off(PARAMS, "sq_off");
    public static final long PARAMS_CQ_OFF = off(PARAMS, "cq_off");

    public static final long SQE_SIZE = SQE.byteSize();
    public static final long SQE_OPCODE = off(SQE, "opcode");
    public static final long SQE_FLAGS = off(SQE, "flags");
    public static final long SQE_IOPRIO = off(SQE, "ioprio");
    public static final long SQE_FD = off(SQE, "fd");
    public static final long SQE_OFF = off(SQE, "off");
    public static final long SQE_ADDR = off(SQE, "addr");
    public static final long SQE_LEN = off(SQE, "len");
    public static final long SQE_OP_FLAGS = off(SQE, "op_flags");
    public static final long SQE_USER_DATA = off(SQE, "user_data");
    public static final long SQE_BUF_INDEX = off(SQE, "buf_index");

    public static final long CQE_SIZE = CQE.byteSize();
    public static final long CQE_USER_DATA = off(CQE, "user_data");
    public static final long CQE_RES = off(CQE, "res");
    public static final long CQE_FLAGS = off(CQE, "flags");

    public static final long BUF_SIZE = BUF.byteSize();
    /** Where the buffer ring's {@code tail} lies: over {@code bufs[0].resv}. */
    public static final long BUF_RING_TAIL = off(BUF, "resv");

    /** The offset of {@code field} in {@code struct} (a named member of a struct layout). */
    public static long off(StructLayout struct, String field) {
        return struct.byteOffset(groupElement(field));
    }
}
