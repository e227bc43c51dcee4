package io.pollen.runtime;

import io.pollen.poll.Source;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What the async datagram sockets share ({@link AsyncUdpSocket}, {@link AsyncUnixDatagram}): sends
 * and receives each wait in call order, one datagram per operation, on the loop. A send that would
 * block (a full socket buffer; for Unix datagrams, a full receiver queue) waits for writability; a
 * receive waits for a datagram. An error fails that one operation (e.g. {@code ECONNREFUSED} for a
 * Unix peer gone) and the next one goes on. Buffers belong to the socket until their future
 * completes.
 *
 * @param <S> the socket type
 * @param <A> its address type
 */
abstract class AsyncDatagram<S extends Source & AutoCloseable, A extends SocketAddress> extends AsyncSource<S> {
    /** {@code target == null}: a send to the connected peer. */
    private record Send<A>(ByteBuffer buf, A target, CompletableFuture<Integer> future, Task task) {
    }

    private record Receive<A>(ByteBuffer buf, CompletableFuture<A> future, Task task) {
    }

    /** Datagrams waiting for room, in call order. */
    private final ArrayDeque<Send<A>> sends = new ArrayDeque<>();
    /** Receives waiting for a datagram, in call order. */
    private final ArrayDeque<Receive<A>> receives = new ArrayDeque<>();

    AsyncDatagram(EventLoop loop, S socket, Task owner) {
        super(loop, socket, owner);
    }

    /** One non-blocking send: bytes sent, or 0 if it would block ({@code target == null}: connected). */
    abstract int sendNow(ByteBuffer src, A target) throws IOException;

    /** One non-blocking receive: the sender, or {@code null} if none is pending. */
    abstract A receiveNow(ByteBuffer dst) throws IOException;

    /** Sends {@code src} as one datagram to {@code target}; completes with the bytes sent. */
    public CompletableFuture<Integer> sendTo(ByteBuffer src, A target) {
        return queueSend(src, Objects.requireNonNull(target, "target"));
    }

    /** Receives one datagram into {@code dst}; completes with its sender. */
    public CompletableFuture<A> receiveFrom(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<A> f = new CompletableFuture<>();
            receives.addLast(new Receive<>(dst, f, task));
            drainReceives();
            return f;
        });
    }

    /** Queues a send ({@code target == null}: to the connected peer). */
    final CompletableFuture<Integer> queueSend(ByteBuffer src, A target) {
        Objects.requireNonNull(src, "src");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            sends.addLast(new Send<>(src, target, f, task));
            flushSends();
            return f;
        });
    }

    @Override
    void onReady(int flags) {
        if ((flags & Readiness.ANY_READ) != 0) {
            drainReceives();
        }
        if ((flags & Readiness.ANY_WRITE) != 0) {
            flushSends();
        }
    }

    private void flushSends() {
        Send<A> s;
        while ((s = sends.peekFirst()) != null && isReady(Readiness.ANY_WRITE)) {
            if (s.future.isDone()) {
                sends.pollFirst();
                continue;
            }
            int n;
            try {
                n = sendNow(s.buf, s.target);
            } catch (IOException | RuntimeException e) {
                sends.pollFirst();
                LoopCalls.fail(loop, s.task, s.future, e);
                continue;
            }
            if (n == 0 && s.buf.hasRemaining()) {
                notReady(Readiness.ANY_WRITE);
                return;
            }
            sends.pollFirst();
            LoopCalls.complete(loop, s.task, s.future, n);
        }
    }

    private void drainReceives() {
        Receive<A> r;
        while ((r = receives.peekFirst()) != null && isReady(Readiness.ANY_READ)) {
            if (r.future.isDone()) {
                receives.pollFirst();
                continue;
            }
            A from;
            try {
                from = receiveNow(r.buf);
            } catch (IOException | RuntimeException e) {
                receives.pollFirst();
                LoopCalls.fail(loop, r.task, r.future, e);
                continue;
            }
            if (from == null) {
                notReady(Readiness.ANY_READ);
                return;
            }
            receives.pollFirst();
            LoopCalls.complete(loop, r.task, r.future, from);
        }
    }

    @Override
    void failPending() {
        Send<A> s;
        while ((s = sends.pollFirst()) != null) {
            LoopCalls.fail(loop, s.task, s.future, new AsynchronousCloseException());
        }
        Receive<A> r;
        while ((r = receives.pollFirst()) != null) {
            LoopCalls.fail(loop, r.task, r.future, new AsynchronousCloseException());
        }
    }
}
