package io.pollen.net;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Source;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A non-blocking Unix domain datagram socket ({@code AF_UNIX, SOCK_DGRAM}) that registers with a
 * {@link io.pollen.poll.Poll}; mio's {@code UnixDatagram}. <b>Native backends only</b>: java.nio
 * has no Unix datagram channel, so every factory throws {@link UnsupportedOperationException} on
 * {@link Backend#NIO}.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>One call moves one whole datagram; a datagram longer than the buffer's room is truncated.
 *       Unlike UDP, Unix datagrams are reliable and ordered: a send to a full receiver would block
 *       ({@code 0}) instead of dropping, and a send to a path nobody is bound to fails
 *       ({@code ECONNREFUSED} / {@code ENOENT}).</li>
 *   <li>{@link #bind} creates a socket file, removed by {@link #close()} exactly as
 *       {@link UnixListener} does (only if it is still the same file). {@link #unbound} makes a
 *       socket that can send but, having no address, receives only replies to an autobound name
 *       (Linux) or on a {@link #connect}ed pair.</li>
 *   <li>Nothing blocks: {@link #receiveFrom} returns {@code null}, {@link #receive} and the sends
 *       {@code 0} when they would block. Readiness is edge-triggered.</li>
 * </ul>
 * <b>Not guaranteed:</b> that a sender's address is meaningful: an unbound sender shows as
 * {@link UnixSocketAddress#unnamed()}.
 */
public final class UnixDatagram extends NetSource<DatagramImpl> implements Source, Closeable {
    private final UnixSocketAddress localAddress;
    private final SocketFile file;

    private UnixDatagram(DatagramImpl impl, Backend backend, UnixSocketAddress bound) {
        super("UnixDatagram", impl, backend);
        this.localAddress = bound;
        this.file = SocketFile.of(bound);
    }

    /** Binds {@code address} (a path, or on Linux an abstract name). */
    public static UnixDatagram bind(UnixSocketAddress address, Backend backend) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(backend, "backend");
        if (address.isUnnamed()) {
            throw new IllegalArgumentException("cannot bind an unnamed address; use unbound()");
        }
        return new UnixDatagram(Sockets.factory(backend).bindDatagram(address), backend, address);
    }

    /** A socket with no address, for sending (and for {@link #connect}). */
    public static UnixDatagram unbound(Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        UnixSocketAddress none = UnixSocketAddress.unnamed();
        return new UnixDatagram(Sockets.factory(backend).bindDatagram(none), backend, none);
    }

    /** Two connected, unnamed datagram sockets ({@code socketpair}). */
    public static UnixDatagram[] pair(Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        DatagramImpl[] p = Sockets.factory(backend).datagramPair();
        UnixSocketAddress none = UnixSocketAddress.unnamed();
        return new UnixDatagram[] {new UnixDatagram(p[0], backend, none), new UnixDatagram(p[1], backend, none)};
    }

    /** Sends one datagram to {@code target}: bytes sent (all), or {@code 0} if it would block. */
    public int sendTo(ByteBuffer src, UnixSocketAddress target) throws IOException {
        return impl.sendTo(src, Objects.requireNonNull(target, "target"));
    }

    /** Receives one datagram; its sender (maybe unnamed), or {@code null} if none is pending. */
    public UnixSocketAddress receiveFrom(ByteBuffer dst) throws IOException {
        return (UnixSocketAddress) impl.receiveFrom(dst);
    }

    /** As {@link #receiveFrom}, leaving the datagram pending. */
    public UnixSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return (UnixSocketAddress) impl.peekFrom(dst);
    }

    /** Fixes the peer for {@link #send} / {@link #receive}; fails at once if nobody is bound there. */
    public void connect(UnixSocketAddress peer) throws IOException {
        impl.connect(Objects.requireNonNull(peer, "peer"));
    }

    /** Sends one datagram to the connected peer: bytes sent, or {@code 0} if it would block. */
    public int send(ByteBuffer src) throws IOException {
        return impl.send(src);
    }

    /** Receives one datagram from the connected peer: its length, or {@code 0} if none is pending. */
    public int receive(ByteBuffer dst) throws IOException {
        return impl.receive(dst);
    }

    /** The bound address ({@link UnixSocketAddress#unnamed()} for unbound sockets and pairs). */
    public UnixSocketAddress localAddress() {
        return localAddress;
    }

    /** The connected peer's address, or {@code null} if not connected. */
    public UnixSocketAddress peerAddress() throws IOException {
        return (UnixSocketAddress) impl.peerAddress();
    }

    /** {@code SO_SNDBUF}: a hint; bounds how much a sender may queue. */
    public void setSendBufferSize(int bytes) throws IOException {
        impl.setOption(StandardSocketOptions.SO_SNDBUF, Sockets.bufferSize(bytes));
    }

    public int sendBufferSize() throws IOException {
        return impl.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    /** Closes the socket and removes its socket file if it is still this socket's; idempotent. */
    @Override
    public void close() throws IOException {
        SocketFile.close(impl, file);
    }

    @Override
    UnixSocketAddress shownAddress() {
        return localAddress;
    }
}
