package io.pollen.runtime;

import io.pollen.net.UdpSocket;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A UDP socket driven by an {@link EventLoop}: sends and receives complete on the loop.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=udp}
 *
 * <p>Sends and receives each wait in call order; a datagram is sent whole or not at all, and a
 * received datagram larger than the buffer is truncated (UDP's rule). Buffers belong to the socket
 * until their future completes. Methods may be called from any thread. Not guaranteed: delivery,
 * order or uniqueness of datagrams (UDP's nature, even on loopback under load).
 */
public final class AsyncUdpSocket extends AsyncSource<UdpSocket> {
    private record Send(ByteBuffer buf, InetSocketAddress target, CompletableFuture<Integer> future, Task task) {
    }

    private record Receive(ByteBuffer buf, CompletableFuture<InetSocketAddress> future, Task task) {
    }

    /** The bound address. */
    private final InetSocketAddress local;
    /** Datagrams waiting for room, in call order. */
    private final ArrayDeque<Send> sends = new ArrayDeque<>();
    /** Receives waiting for a datagram, in call order. */
    private final ArrayDeque<Receive> receives = new ArrayDeque<>();

    private AsyncUdpSocket(EventLoop loop, UdpSocket socket, Task owner) throws IOException {
        super(loop, socket, owner);
        this.local = socket.localAddress();
    }

    /** Binds a UDP socket to {@code local} (port 0 picks a free port), on {@code loop}. */
    public static AsyncUdpSocket bind(EventLoop loop, InetSocketAddress local) throws IOException {
        Objects.requireNonNull(loop, "loop");
        UdpSocket s = UdpSocket.bind(local, loop.backend());
        AsyncUdpSocket a;
        try {
            a = new AsyncUdpSocket(loop, s, Task.current(loop));
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
        a.registerSoon(Interest.READABLE.add(Interest.WRITABLE), Readiness.READABLE | Readiness.WRITABLE);
        return a;
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    /** The underlying socket, for options. Do not send or receive on it directly. */
    public UdpSocket socket() {
        return socket;
    }

    /** Sends {@code src} as one datagram to {@code target}; completes with the bytes sent. */
    public CompletableFuture<Integer> sendTo(ByteBuffer src, InetSocketAddress target) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(target, "target");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<Integer> f = new CompletableFuture<>();
            sends.addLast(new Send(src, target, f, task));
            flushSends();
            return f;
        });
    }

    /** Receives one datagram into {@code dst}; completes with its sender. */
    public CompletableFuture<InetSocketAddress> receiveFrom(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
            receives.addLast(new Receive(dst, f, task));
            drainReceives();
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
        Send s;
        while ((s = sends.peekFirst()) != null && isReady(Readiness.ANY_WRITE)) {
            if (s.future.isDone()) {
                sends.pollFirst();
                continue;
            }
            int n;
            try {
                n = socket.sendTo(s.buf, s.target);
            } catch (IOException e) {
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
        Receive r;
        while ((r = receives.peekFirst()) != null && isReady(Readiness.ANY_READ)) {
            if (r.future.isDone()) {
                receives.pollFirst();
                continue;
            }
            InetSocketAddress from;
            try {
                from = socket.receiveFrom(r.buf);
            } catch (IOException e) {
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
        Send s;
        while ((s = sends.pollFirst()) != null) {
            LoopCalls.fail(loop, s.task, s.future, new AsynchronousCloseException());
        }
        Receive r;
        while ((r = receives.pollFirst()) != null) {
            LoopCalls.fail(loop, r.task, r.future, new AsynchronousCloseException());
        }
    }

    @Override
    public String toString() {
        return "AsyncUdpSocket{" + local + (closed ? ", closed}" : "}");
    }
}
