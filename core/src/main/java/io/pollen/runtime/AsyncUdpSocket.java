package io.pollen.runtime;

import io.pollen.net.UdpSocket;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A UDP socket driven by an {@link EventLoop}: sends and receives complete on the loop.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=udp}
 *
 * <p>{@link #sendTo} and {@link #receiveFrom} (shared with {@link AsyncUnixDatagram}) each wait in
 * call order; a datagram is sent whole or not at all, and a received datagram larger than the
 * buffer is truncated (UDP's rule). Buffers belong to the socket
 * until their future completes. Methods may be called from any thread. Not guaranteed: delivery,
 * order or uniqueness of datagrams (UDP's nature, even on loopback under load).
 */
public final class AsyncUdpSocket extends AsyncDatagram<UdpSocket, InetSocketAddress> {
    /** The bound address. */
    private final InetSocketAddress local;

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

    @Override
    int sendNow(ByteBuffer src, InetSocketAddress target) throws IOException {
        return socket.sendTo(src, target);
    }

    @Override
    InetSocketAddress receiveNow(ByteBuffer dst) throws IOException {
        return socket.receiveFrom(dst);
    }

    @Override
    public String toString() {
        return "AsyncUdpSocket{" + local + (closed ? ", closed}" : "}");
    }
}
