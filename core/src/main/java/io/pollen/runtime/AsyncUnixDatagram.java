package io.pollen.runtime;

import io.pollen.net.UnixDatagram;
import io.pollen.net.UnixSocketAddress;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A Unix domain datagram socket ({@link UnixDatagram}) driven by an {@link EventLoop}: the same
 * machinery as {@link AsyncUdpSocket} (sends and receives each wait in call order, complete on the
 * loop, and may be joined from virtual threads), over {@code AF_UNIX, SOCK_DGRAM}.
 *
 * <pre>{@code
 * AsyncUnixDatagram server = AsyncUnixDatagram.bind(loop, UnixSocketAddress.of(dir.resolve("d.sock")));
 * AsyncUnixDatagram client = AsyncUnixDatagram.bind(loop, UnixSocketAddress.of(dir.resolve("c.sock")));
 * client.sendTo(ByteBuffer.wrap(bytes), server.localAddress()).join();
 * UnixSocketAddress from = server.receiveFrom(buf).join();   // the client's path
 * }</pre>
 *
 * <p>What differs from UDP, and is guaranteed: datagrams are neither lost nor reordered. A send to
 * a receiver whose queue is full waits (backpressure) until the receiver reads, instead of
 * dropping; a send to a path where nobody is bound any more fails at once, that send alone, with
 * {@code ECONNREFUSED} (the file is there, its socket closed) or {@code ENOENT} (no file); the
 * sends queued behind it go on. A datagram larger than the receive buffer is truncated.
 * {@link #close()} fails every waiting operation with
 * {@link java.nio.channels.AsynchronousCloseException} and removes the socket file that
 * {@link #bind} created (only if it is still that file).
 *
 * <p><b>Native backends only</b> (epoll, kqueue, io_uring): java.nio has no Unix datagram channel,
 * so on {@link io.pollen.poll.Backend#NIO} every factory throws
 * {@link UnsupportedOperationException}. Not guaranteed: a meaningful sender address — an unbound
 * sender shows as {@link UnixSocketAddress#unnamed()}, to which no reply can be sent.
 */
public final class AsyncUnixDatagram extends AsyncDatagram<UnixDatagram, UnixSocketAddress> {
    private AsyncUnixDatagram(EventLoop loop, UnixDatagram socket, Task owner) {
        super(loop, socket, owner);
    }

    /** Binds {@code address} (a path, or on Linux an abstract name), on {@code loop}. */
    public static AsyncUnixDatagram bind(EventLoop loop, UnixSocketAddress address) throws IOException {
        Objects.requireNonNull(loop, "loop");
        return open(loop, UnixDatagram.bind(address, loop.backend()));
    }

    /** A socket with no address, on {@code loop}: it sends, and receives on a {@link #connect}ed path only replies. */
    public static AsyncUnixDatagram unbound(EventLoop loop) throws IOException {
        Objects.requireNonNull(loop, "loop");
        return open(loop, UnixDatagram.unbound(loop.backend()));
    }

    /** Two connected, unnamed sockets ({@code socketpair}), both on {@code loop}. */
    public static AsyncUnixDatagram[] pair(EventLoop loop) throws IOException {
        Objects.requireNonNull(loop, "loop");
        UnixDatagram[] p = UnixDatagram.pair(loop.backend());
        AsyncUnixDatagram a;
        try {
            a = open(loop, p[0]);
        } catch (IOException | RuntimeException e) {
            closeQuietly(p[1]);
            throw e;
        }
        try {
            return new AsyncUnixDatagram[] {a, open(loop, p[1])};
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private static AsyncUnixDatagram open(EventLoop loop, UnixDatagram s) throws IOException {
        AsyncUnixDatagram a;
        try {
            a = new AsyncUnixDatagram(loop, s, Task.current(loop));
        } catch (RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
        // A fresh socket may have room (and, for a pair, nothing yet): assume writable, learn readable.
        a.registerSoon(Interest.READABLE.add(Interest.WRITABLE), Readiness.READABLE | Readiness.WRITABLE);
        return a;
    }

    /**
     * Fixes the peer for {@link #send}: the kernel then also filters what this socket receives.
     * Fails at once ({@code ENOENT}, {@code ECONNREFUSED}) if nobody is bound at {@code peer}.
     */
    public void connect(UnixSocketAddress peer) throws IOException {
        socket.connect(peer);
    }

    /** Sends {@code src} as one datagram to the connected peer; completes with the bytes sent. */
    public CompletableFuture<Integer> send(ByteBuffer src) {
        return queueSend(src, null);
    }

    /** The bound address ({@link UnixSocketAddress#unnamed()} for unbound sockets and pairs). */
    public UnixSocketAddress localAddress() {
        return socket.localAddress();
    }

    /** The underlying socket, for options and the peer address. Do not send or receive on it directly. */
    public UnixDatagram socket() {
        return socket;
    }

    @Override
    int sendNow(ByteBuffer src, UnixSocketAddress target) throws IOException {
        return target == null ? socket.send(src) : socket.sendTo(src, target);
    }

    @Override
    UnixSocketAddress receiveNow(ByteBuffer dst) throws IOException {
        return socket.receiveFrom(dst);
    }

    @Override
    public String toString() {
        return "AsyncUnixDatagram{" + socket.localAddress() + (closed ? ", closed}" : "}");
    }
}
