package io.pollen.poll.uring;

import io.pollen.sys.linux.IoUring;
import io.pollen.sys.linux.IoUringLayout;
import io.pollen.sys.unix.SocketAbi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static io.pollen.sys.linux.IoUringLayout.SQE_ADDR;
import static io.pollen.sys.linux.IoUringLayout.SQE_FD;
import static io.pollen.sys.linux.IoUringLayout.SQE_LEN;
import static io.pollen.sys.linux.IoUringLayout.SQE_OP_FLAGS;
import static io.pollen.sys.linux.IoUringLayout.SQE_SIZE;
import static io.pollen.sys.linux.IoUringLayout.SQE_USER_DATA;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Writes submission queue entries of one {@link Ring}: each method claims the next SQE (submitting
 * the queue first if it is full), zeroes it and fills in one operation. Nothing is submitted until
 * the ring's {@code submit}/{@code submitAndWait}. Not thread-safe, like the ring.
 */
public final class Sqes {
    private final Ring ring;
    private final MemorySegment array;

    Sqes(Ring ring, MemorySegment array) {
        this.ring = ring;
        this.array = array;
    }

    /** Claims and zeroes an SQE; returns its byte offset in the SQE array. */
    long next() throws IOException {
        int i = ring.claimSqe();
        if (i < 0) {
            ring.submit();   // the queue is full: hand it to the kernel and take the first free one
            i = ring.claimSqe();
            if (i < 0) {
                throw new IOException("io_uring submission queue stays full (" + ring.sqEntries() + " entries)");
            }
        }
        long at = i * SQE_SIZE;
        for (long o = 0; o < SQE_SIZE; o += 8) {
            array.set(JAVA_LONG, at + o, 0L);
        }
        return at;
    }

    /** Claims an SQE for {@code op} on {@code fd} carrying {@code userData}; the caller sets the rest. */
    long prep(int op, int fd, long addr, int len, long userData) throws IOException {
        long at = next();
        array.set(JAVA_BYTE, at, (byte) op);
        array.set(JAVA_INT, at + SQE_FD, fd);
        array.set(JAVA_LONG, at + SQE_ADDR, addr);
        array.set(JAVA_INT, at + SQE_LEN, len);
        array.set(JAVA_LONG, at + SQE_USER_DATA, userData);
        return at;
    }

    /** Sets a field of a claimed SQE (offsets from {@code IoUringLayout}). */
    void setInt(long sqe, long field, int value) {
        array.set(JAVA_INT, sqe + field, value);
    }

    void setLong(long sqe, long field, long value) {
        array.set(JAVA_LONG, sqe + field, value);
    }

    void setShort(long sqe, long field, short value) {
        array.set(java.lang.foreign.ValueLayout.JAVA_SHORT, sqe + field, value);
    }

    void setByte(long sqe, long field, byte value) {
        array.set(JAVA_BYTE, sqe + field, value);
    }

    /** {@code IORING_OP_NOP}: completes at once with res 0. */
    public void nop(long userData) throws IOException {
        prep(IoUring.IORING_OP_NOP, -1, 0, 0, userData);
    }

    /**
     * {@code IORING_OP_POLL_ADD} for the {@code poll(2)}/epoll bits {@code mask}; {@code multishot}
     * keeps it armed ({@code IORING_POLL_ADD_MULTI}: a CQE per wake-up, {@code IORING_CQE_F_MORE}
     * while it stays armed). Edge-triggered, as io_uring's poll is unless asked for level.
     */
    public void pollAdd(int fd, int mask, boolean multishot, long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_POLL_ADD, fd, 0, multishot ? IoUring.IORING_POLL_ADD_MULTI : 0, userData);
        array.set(JAVA_INT, at + SQE_OP_FLAGS, mask);
    }

    /** {@code IORING_OP_POLL_REMOVE} of the poll submitted with {@code target}. */
    public void pollRemove(long target, long userData) throws IOException {
        prep(IoUring.IORING_OP_POLL_REMOVE, -1, target, 0, userData);
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of the operation submitted with {@code target}. */
    public void cancel(long target, long userData) throws IOException {
        prep(IoUring.IORING_OP_ASYNC_CANCEL, -1, target, 0, userData);
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of every operation on {@code fd} ({@code CANCEL_FD | CANCEL_ALL}). */
    public void cancelFd(int fd, long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_ASYNC_CANCEL, fd, 0, 0, userData);
        array.set(JAVA_INT, at + SQE_OP_FLAGS, IoUring.IORING_ASYNC_CANCEL_FD | IoUring.IORING_ASYNC_CANCEL_ALL);
    }

    /** {@code IORING_OP_ASYNC_CANCEL} of every operation in flight ({@code CANCEL_ANY | CANCEL_ALL}, Linux 5.19). */
    public void cancelAll(long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_ASYNC_CANCEL, -1, 0, 0, userData);
        array.set(JAVA_INT, at + SQE_OP_FLAGS, IoUring.IORING_ASYNC_CANCEL_ANY | IoUring.IORING_ASYNC_CANCEL_ALL);
    }

    // ---- completion-mode operations (the kernel does the I/O) ----

    /**
     * Multishot {@code IORING_OP_ACCEPT}: one CQE per accepted connection (res = the new fd,
     * non-blocking and close-on-exec), {@code F_MORE} while it stays armed.
     */
    public void acceptMultishot(int fd, long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_ACCEPT, fd, 0, 0, userData);
        setShort(at, IoUringLayout.SQE_IOPRIO, (short) IoUring.IORING_ACCEPT_MULTISHOT);
        array.set(JAVA_INT, at + SQE_OP_FLAGS, SocketAbi.LINUX.SOCK_NONBLOCK | SocketAbi.LINUX.SOCK_CLOEXEC);
    }

    /**
     * Multishot {@code IORING_OP_RECV} into buffers the kernel picks from provided-buffer group
     * {@code bgid} ({@link BufRing}): each CQE carries {@code F_BUFFER} and the buffer id in its
     * upper 16 flag bits; res 0 is end of stream; {@code -ENOBUFS} ends it when the group is empty.
     */
    public void recvMultishot(int fd, int bgid, long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_RECV, fd, 0, 0, userData);
        setByte(at, IoUringLayout.SQE_FLAGS, (byte) IoUring.IOSQE_BUFFER_SELECT);
        setShort(at, IoUringLayout.SQE_IOPRIO, (short) IoUring.IORING_RECV_MULTISHOT);
        setShort(at, IoUringLayout.SQE_BUF_INDEX, (short) bgid);
    }

    /**
     * {@code IORING_OP_SEND} of {@code len} bytes at native address {@code addr} (MSG_NOSIGNAL): the
     * memory belongs to the kernel until the CQE (res = bytes sent, maybe fewer: a short send).
     */
    public void send(int fd, long addr, int len, long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_SEND, fd, addr, len, userData);
        array.set(JAVA_INT, at + SQE_OP_FLAGS, SocketAbi.LINUX.MSG_NOSIGNAL);
    }

    /** {@code IORING_OP_CONNECT} to the sockaddr of {@code addrLen} bytes at {@code sockaddr} (kept until the CQE). */
    public void connect(int fd, long sockaddr, int addrLen, long userData) throws IOException {
        long at = prep(IoUring.IORING_OP_CONNECT, fd, sockaddr, 0, userData);
        setLong(at, IoUringLayout.SQE_OFF, addrLen);
    }

    /** {@code IORING_OP_CLOSE} of {@code fd}: the close happens in the kernel, its result in the CQE. */
    public void close(int fd, long userData) throws IOException {
        prep(IoUring.IORING_OP_CLOSE, fd, 0, 0, userData);
    }
}
