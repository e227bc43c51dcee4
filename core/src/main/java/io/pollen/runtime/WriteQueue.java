package io.pollen.runtime;

import io.pollen.net.Shutdown;
import io.pollen.net.StreamSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The outgoing side of an {@link AsyncTcpStream}: writes waiting for the socket, in order, with
 * high/low water marks (Netty's defaults, 64 KiB / 32 KiB).
 *
 * <p>{@code writeAll} completes as soon as its bytes are either in the kernel or copied here, as
 * long as the bytes waiting here stay at or under the high mark. Above it, the caller's buffer is
 * borrowed (not copied) and the future waits until the socket drained the queue to the low mark;
 * then the unwritten rest (at most the low mark) is copied and the future completes. A writer that
 * waits for each {@code writeAll} therefore never makes the queue grow past
 * {@code high + one buffer}, however slow the reader. Loop thread only.
 */
final class WriteQueue {
    static final int DEFAULT_LOW = 32 * 1024;
    static final int DEFAULT_HIGH = 64 * 1024;

    private static final int ALL = 0, SINGLE = 1, SHUTDOWN = 2;

    private static final class Op {
        final int kind;
        ByteBuffer buf;
        /** Not null while the caller waits: for ALL the water mark, for SINGLE/SHUTDOWN the op. */
        CompletableFuture<?> waiter;
        final Task task;

        Op(int kind, ByteBuffer buf, CompletableFuture<?> waiter, Task task) {
            this.kind = kind;
            this.buf = buf;
            this.waiter = waiter;
            this.task = task;
        }
    }

    private final ArrayDeque<Op> ops = new ArrayDeque<>();
    private final EventLoop loop;
    private long queued;
    private int low = DEFAULT_LOW;
    private int high = DEFAULT_HIGH;

    WriteQueue(EventLoop loop) {
        this.loop = loop;
    }

    void waterMarks(int low, int high) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("need 0 <= low <= high: low=" + low + ", high=" + high);
        }
        this.low = low;
        this.high = high;
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    /** Bytes accepted but not yet written to the socket. */
    long queuedBytes() {
        return queued;
    }

    /** Queues what is left of {@code src} after a direct write; see the class docs. */
    void addAll(ByteBuffer src, CompletableFuture<Void> f, Task task) {
        int n = src.remaining();
        if (queued + n <= high) {
            ByteBuffer copy = ByteBuffer.allocate(n).put(src).flip();
            ops.addLast(new Op(ALL, copy, null, task));
            queued += n;
            f.complete(null);
        } else {
            ops.addLast(new Op(ALL, src, f, task));
            queued += n;
        }
    }

    void addSingle(ByteBuffer src, CompletableFuture<Integer> f, Task task) {
        ops.addLast(new Op(SINGLE, src, f, task));
        queued += src.remaining();
    }

    void addShutdown(CompletableFuture<Void> f, Task task) {
        ops.addLast(new Op(SHUTDOWN, null, f, task));
    }

    /**
     * Writes queued data while the socket takes it.
     *
     * @return false if the socket would block (the caller clears its writable readiness)
     */
    @SuppressWarnings("unchecked")
    boolean flush(StreamSocket socket) throws IOException {
        Op op;
        boolean more = true;
        while ((op = ops.peekFirst()) != null) {
            if (op.kind == SHUTDOWN) {
                ops.pollFirst();
                socket.shutdown(Shutdown.WRITE);
                LoopCalls.complete(loop, op.task, (CompletableFuture<Void>) op.waiter, null);
                continue;
            }
            if (op.kind == SINGLE && op.waiter.isDone()) { // cancelled by its caller
                ops.pollFirst();
                queued -= op.buf.remaining();
                continue;
            }
            int n = socket.write(op.buf);
            if (n == 0 && op.buf.hasRemaining()) {
                more = false;
                break;
            }
            queued -= n;
            if (op.kind == SINGLE) {
                ops.pollFirst();
                queued -= op.buf.remaining();
                LoopCalls.complete(loop, op.task, (CompletableFuture<Integer>) op.waiter, n);
            } else if (!op.buf.hasRemaining()) {
                ops.pollFirst();
                if (op.waiter != null) {
                    LoopCalls.complete(loop, op.task, (CompletableFuture<Void>) op.waiter, null);
                }
            }
        }
        if (queued <= low) {
            releaseBorrowed();
        }
        return more;
    }

    /** Under the low mark: copy borrowed buffers and let their writers go on. */
    @SuppressWarnings("unchecked")
    private void releaseBorrowed() {
        for (Op op : ops) {
            if (op.kind == ALL && op.waiter != null) {
                CompletableFuture<Void> f = (CompletableFuture<Void>) op.waiter;
                op.buf = ByteBuffer.allocate(op.buf.remaining()).put(op.buf).flip();
                op.waiter = null;
                LoopCalls.complete(loop, op.task, f, null);
            }
        }
    }

    /** Fails every waiting writer (an I/O error, or close). */
    void failAll(Throwable error) {
        Op op;
        while ((op = ops.pollFirst()) != null) {
            if (op.waiter != null) {
                LoopCalls.fail(loop, op.task, op.waiter, error);
            }
        }
        queued = 0;
    }
}
