package io.pollen.net;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.Options;
import io.pollen.poll.Backend;
import io.pollen.poll.Source;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A non-blocking UDP socket that registers with a {@link io.pollen.poll.Poll}; mio's
 * {@code UdpSocket}.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>One call moves one whole datagram. A datagram larger than the buffer's remaining space is
 *       truncated, and the rest of it is lost (as with {@code recvfrom}).</li>
 *   <li>Nothing blocks: {@link #receiveFrom} returns {@code null} and {@link #receive} returns
 *       {@code 0} when no datagram is pending; {@link #sendTo} and {@link #send} return {@code 0}
 *       when the send buffer is full. Readiness is edge-triggered: receive until nothing is pending
 *       before waiting for the next readable event.</li>
 *   <li>{@link #connect} fixes the peer for {@link #send} / {@link #receive} and filters datagrams
 *       from anyone else; connecting again re-targets the socket to the new peer. A connected socket may see ICMP errors (port unreachable) as an
 *       exception from a later receive.</li>
 *   <li>IPv4 and IPv6 follow the bound address's family. Addresses must be resolved.</li>
 *   <li>Not thread-safe: one thread does the I/O at a time.</li>
 * </ul>
 *
 * <p><b>Differences between backends:</b> on nio, {@link #peekFrom} is emulated (the datagram is
 * received into a buffer held by the socket and handed out by the next receive) and
 * {@link #setTtl} throws {@link UnsupportedOperationException}. <b>Not guaranteed</b> (it is UDP):
 * delivery, order, or that a send that returned reached the network.
 */
public final class UdpSocket extends BufferSizedSocket<DatagramImpl> implements Source, Closeable {
    private final InetSocketAddress localAddress;
    private volatile InetSocketAddress peerAddress;

    private UdpSocket(DatagramImpl impl, Backend backend) throws IOException {
        super("UdpSocket", impl, backend);
        this.localAddress = (InetSocketAddress) Sockets.localAddressOrClose(impl);
    }

    /** Binds on {@link Backend#select()}. Port 0 picks an ephemeral port. */
    public static UdpSocket bind(InetSocketAddress local) throws IOException {
        return bind(local, Backend.select());
    }

    /** Binds a socket that registers with Polls of {@code backend}. */
    public static UdpSocket bind(InetSocketAddress local, Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        return new UdpSocket(Sockets.factory(backend).bindDatagram(Sockets.resolved(local)), backend);
    }

    /** Sends one datagram to {@code target}: bytes sent (all of them), or {@code 0} if it would block. */
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        return impl.sendTo(src, Sockets.resolved(target));
    }

    /** Receives one datagram into {@code dst}; its sender, or {@code null} if none is pending. */
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws IOException {
        return (InetSocketAddress) impl.receiveFrom(dst);
    }

    /** As {@link #receiveFrom}, but the datagram stays pending for the next receive. */
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return (InetSocketAddress) impl.peekFrom(dst);
    }

    /**
     * Fixes the peer: {@link #send}/{@link #receive} use it, datagrams from others are dropped.
     * On a connected socket it changes the peer (the local address stays), on every backend.
     */
    public void connect(InetSocketAddress peer) throws IOException {
        impl.connect(Sockets.resolved(peer));
        peerAddress = peer;
    }

    /** Sends one datagram to the connected peer: bytes sent, or {@code 0} if it would block. */
    public int send(ByteBuffer src) throws IOException {
        return impl.send(src);
    }

    /**
     * Receives one datagram: its length, or {@code 0} if none is pending. Connected, only the peer's
     * datagrams arrive; unconnected, anyone's, and the sender is not returned (use
     * {@link #receiveFrom} to learn it), as with {@code recv(2)} and mio.
     */
    public int receive(ByteBuffer dst) throws IOException {
        return impl.receive(dst);
    }

    /** The bound address, with the actual port when bound to port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The connected peer, or {@code null} if {@link #connect} was not called. */
    public InetSocketAddress peerAddress() {
        return peerAddress;
    }

    // The buffer sizes (SO_SNDBUF / SO_RCVBUF) are inherited from BufferSizedSocket.

    /** {@code SO_BROADCAST}: allow sending to broadcast addresses. */
    public void setBroadcast(boolean on) throws IOException {
        impl.setOption(StandardSocketOptions.SO_BROADCAST, on);
    }

    /** Whether {@code SO_BROADCAST} is on. */
    public boolean broadcast() throws IOException {
        return impl.getOption(StandardSocketOptions.SO_BROADCAST);
    }

    /**
     * {@code IP_TTL} (IPv6: unicast hops) of outgoing datagrams.
     *
     * @throws UnsupportedOperationException on the nio backend
     */
    public void setTtl(int ttl) throws IOException {
        impl.setOption(Options.IP_TTL, Sockets.ttl(ttl));
    }

    /** @throws UnsupportedOperationException on the nio backend */
    public int ttl() throws IOException {
        return impl.getOption(Options.IP_TTL);
    }

    @Override
    InetSocketAddress shownAddress() {
        return localAddress;
    }
}
