package io.pollen.sys.linux;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux io_uring through the raw system calls (no liburing), {@code <linux/io_uring.h>}:
 *
 * <pre>
 * int io_uring_setup(u32 entries, struct io_uring_params *p);                 // 425
 * int io_uring_enter(unsigned int fd, u32 to_submit, u32 min_complete, u32 flags,
 *                    const void *argp, size_t argsz);                          // 426
 * int io_uring_register(unsigned int fd, unsigned int opcode, void *arg,
 *                       unsigned int nr_args);                                 // 427
 * </pre>
 *
 * <p>The three numbers are the same on every architecture (they were added after the syscall
 * tables were unified). They are called through libc's variadic {@code long syscall(long, ...)},
 * every argument passed as a full register ({@code long} or pointer). Constants are copied from the
 * kernel's {@code include/uapi/linux/io_uring.h}; the struct layouts live in {@link IoUringLayout}.
 * {@code io_uring_enter} may block and is never bound {@code critical}.
 */
public final class IoUring {
    private IoUring() {
    }

    public static final long SYS_IO_URING_SETUP = 425;
    public static final long SYS_IO_URING_ENTER = 426;
    public static final long SYS_IO_URING_REGISTER = 427;

    // io_uring_setup() flags
    public static final int IORING_SETUP_IOPOLL = 1;
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    public static final int IORING_SETUP_SQ_AFF = 1 << 2;
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    public static final int IORING_SETUP_ATTACH_WQ = 1 << 5;
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    public static final int IORING_SETUP_SQE128 = 1 << 10;
    public static final int IORING_SETUP_CQE32 = 1 << 11;
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;

    // enum io_uring_op (the ones Pollen uses)
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_READV = 1;
    public static final int IORING_OP_WRITEV = 2;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_OP_SENDMSG = 9;
    public static final int IORING_OP_RECVMSG = 10;
    public static final int IORING_OP_TIMEOUT = 11;
    public static final int IORING_OP_TIMEOUT_REMOVE = 12;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_LINK_TIMEOUT = 15;
    public static final int IORING_OP_CONNECT = 16;
    public static final int IORING_OP_CLOSE = 19;
    public static final int IORING_OP_READ = 22;
    public static final int IORING_OP_WRITE = 23;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_OP_PROVIDE_BUFFERS = 31;
    public static final int IORING_OP_SHUTDOWN = 34;
    public static final int IORING_OP_MSG_RING = 40;
    public static final int IORING_OP_SOCKET = 45;
    public static final int IORING_OP_SEND_ZC = 47;

    // sqe->flags
    public static final int IOSQE_FIXED_FILE = 1;
    public static final int IOSQE_IO_DRAIN = 1 << 1;
    public static final int IOSQE_IO_LINK = 1 << 2;
    public static final int IOSQE_IO_HARDLINK = 1 << 3;
    public static final int IOSQE_ASYNC = 1 << 4;
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // POLL_ADD command flags (in sqe->len); POLL_REMOVE update flags
    public static final int IORING_POLL_ADD_MULTI = 1;
    public static final int IORING_POLL_UPDATE_EVENTS = 1 << 1;
    public static final int IORING_POLL_UPDATE_USER_DATA = 1 << 2;
    public static final int IORING_POLL_ADD_LEVEL = 1 << 3;

    // ASYNC_CANCEL flags (sqe->cancel_flags)
    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;

    // send/recv (sqe->ioprio) and accept (sqe->ioprio) flags
    public static final int IORING_RECVSEND_POLL_FIRST = 1;
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    public static final int IORING_ACCEPT_MULTISHOT = 1;

    // sqe->timeout_flags
    public static final int IORING_TIMEOUT_ABS = 1;
    public static final int IORING_TIMEOUT_ETIME_SUCCESS = 1 << 5;

    // cqe->flags
    public static final int IORING_CQE_F_BUFFER = 1;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // mmap offsets
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    // sq_ring->flags
    public static final int IORING_SQ_NEED_WAKEUP = 1;
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    // io_uring_enter() flags
    public static final int IORING_ENTER_GETEVENTS = 1;
    public static final int IORING_ENTER_SQ_WAKEUP = 1 << 1;
    public static final int IORING_ENTER_SQ_WAIT = 1 << 2;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    public static final int IORING_ENTER_REGISTERED_RING = 1 << 4;

    // io_uring_params->features
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    public static final int IORING_FEAT_RW_CUR_POS = 1 << 3;
    public static final int IORING_FEAT_CUR_PERSONALITY = 1 << 4;
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    public static final int IORING_FEAT_POLL_32BITS = 1 << 6;
    public static final int IORING_FEAT_SQPOLL_NONFIXED = 1 << 7;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    public static final int IORING_FEAT_RSRC_TAGS = 1 << 10;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;
    public static final int IORING_FEAT_LINKED_FILE = 1 << 12;

    // io_uring_register() opcodes
    public static final int IORING_REGISTER_EVENTFD = 4;
    /** Enables a ring set up with {@code IORING_SETUP_R_DISABLED}; its caller becomes a single issuer's submitter. */
    public static final int IORING_REGISTER_ENABLE_RINGS = 12;
    public static final int IORING_REGISTER_PROBE = 8;
    /** Registers a ring fd in the calling thread's table: its {@code io_uring_enter} then skips the fd lookup. */
    public static final int IORING_REGISTER_RING_FDS = 20;
    public static final int IORING_UNREGISTER_RING_FDS = 21;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;

    /** {@code io_uring_probe_op.flags}: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    private static final MethodHandle SETUP = Native.variadicErrnoHandle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), 1);
    private static final MethodHandle ENTER = Native.variadicErrnoHandle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), 1);
    private static final MethodHandle REGISTER = Native.variadicErrnoHandle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), 1);

    /**
     * io_uring_setup(2): a new ring fd (close-on-exec, as every io_uring fd). {@code params} is an
     * {@link IoUringLayout#PARAMS} the kernel fills with the sizes, offsets and features.
     */
    public static int setup(int entries, MemorySegment params) throws NativeIOException {
        long r;
        try {
            r = (long) SETUP.invokeExact(Native.errnoSegment(), SYS_IO_URING_SETUP, u32(entries), params);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return (int) checked(r, "io_uring_setup");
    }

    /**
     * io_uring_enter(2): submits up to {@code toSubmit} queued entries and, with
     * {@link #IORING_ENTER_GETEVENTS}, waits until {@code minComplete} completions are in the ring.
     * Returns the number of entries submitted; EINTR (a signal) and ETIME (the {@code EXT_ARG}
     * timeout passed) return {@code -1} instead of throwing, as "woke up early"; EBUSY and EAGAIN
     * (completions pending, no room to submit now) return {@code -2}. Everything else throws.
     */
    public static int enter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize)
            throws NativeIOException {
        long r;
        try {
            r = (long) ENTER.invokeExact(Native.errnoSegment(), SYS_IO_URING_ENTER, u32(fd), u32(toSubmit),
                    u32(minComplete), u32(flags), arg, argSize);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (r >= 0) {
            return (int) r;
        }
        int errno = Native.lastErrno();
        if (errno == Errno.EINTR || errno == Errno.ETIME) {
            return -1;
        }
        if (errno == Errno.EBUSY || errno == Errno.EAGAIN) {
            return -2;
        }
        throw Native.error("io_uring_enter", errno);
    }

    /** io_uring_register(2): its result ({@code >= 0}); every errno throws. */
    public static int register(int fd, int opcode, MemorySegment arg, int nrArgs) throws NativeIOException {
        long r;
        try {
            r = (long) REGISTER.invokeExact(Native.errnoSegment(), SYS_IO_URING_REGISTER, u32(fd), u32(opcode), arg, u32(nrArgs));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return (int) checked(r, "io_uring_register");
    }

    /** A u32 of a mapped ring as the kernel's {@code smp_load_acquire} pairs with. */
    private static final VarHandle U32 = JAVA_INT.varHandle();

    /**
     * Loads the ring word at {@code offset} with acquire ordering: what the kernel wrote before it
     * stored the word (CQEs before the CQ tail, the SQ head after consuming SQEs) is visible after.
     */
    public static int loadAcquire(MemorySegment ring, long offset) {
        return (int) U32.getAcquire(ring, offset);
    }

    /**
     * Stores the ring word at {@code offset} with release ordering: the SQEs written before the SQ
     * tail (or the CQEs read before the CQ head) are ordered before the kernel sees the new value.
     */
    public static void storeRelease(MemorySegment ring, long offset, int value) {
        U32.setRelease(ring, offset, value);
    }

    private static final VarHandle U16 = java.lang.foreign.ValueLayout.JAVA_SHORT.varHandle();

    /** Stores a u16 ring word (the provided-buffer ring's tail) with release ordering. */
    public static void storeRelease16(MemorySegment ring, long offset, int value) {
        U16.setRelease(ring, offset, (short) value);
    }

    private static long checked(long r, String call) throws NativeIOException {
        if (r < 0) {
            throw Native.fail(call);
        }
        return r;
    }

    /** An {@code unsigned int} argument as the full register the variadic call passes. */
    private static long u32(int v) {
        return v & 0xffff_ffffL;
    }
}
