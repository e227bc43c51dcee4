package io.pollen.net.nio;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A UDP socket over a non-blocking {@link DatagramChannel}. A receive that finds nothing re-arms
 * READABLE, a send that would block re-arms WRITABLE.
 *
 * <p>{@code peekFrom} is emulated (java.nio has no {@code MSG_PEEK}): it receives the datagram
 * into a 64 KiB buffer held here, and the next receive hands that datagram out first, truncated
 * to the destination like a real receive. Where java.nio differs from the socket calls, the
 * native behaviour is kept: {@link #connect} on a connected socket re-targets it (disconnect, then
 * connect; the JDK would throw {@code AlreadyConnectedException}), and {@link #receive} on an
 * unconnected socket returns the next datagram without its sender (the JDK's {@code read} would
 * throw {@code NotYetConnectedException}). Not thread-safe.
 */
final class NioDatagram extends NioSocket<DatagramChannel> implements DatagramImpl {
    private static final int MAX_DATAGRAM = 65_536;

    private ByteBuffer holdBuffer;
    /** The peeked datagram (read mode) and its source, or null. */
    private ByteBuffer held;
    private InetSocketAddress heldFrom;

    NioDatagram(DatagramChannel channel) {
        super(channel);
    }

    @Override
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        int n = channel.send(src, target);
        if (n == 0 && src.hasRemaining()) {
            source.rearm(Interest.WRITABLE);
        }
        return n;
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws IOException {
        if (held != null) {
            InetSocketAddress from = heldFrom;
            takeHeld(dst);
            return from;
        }
        InetSocketAddress from = (InetSocketAddress) channel.receive(dst);
        if (from == null) {
            source.rearm(Interest.READABLE);
        }
        return from;
    }

    @Override
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        if (held == null) {
            if (holdBuffer == null) {
                holdBuffer = ByteBuffer.allocate(MAX_DATAGRAM);
            }
            InetSocketAddress from = (InetSocketAddress) channel.receive(holdBuffer.clear());
            if (from == null) {
                source.rearm(Interest.READABLE);
                return null;
            }
            held = holdBuffer.flip();
            heldFrom = from;
        }
        copy(held, dst);
        return heldFrom;
    }

    /** Hands out the held datagram, truncated to {@code dst} as a receive would. */
    private int takeHeld(ByteBuffer dst) {
        int len = copy(held, dst);
        held = null;
        heldFrom = null;
        return len;
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        if (channel.isConnected()) {
            // connect(2) on a connected UDP socket just changes its peer; java.nio needs this step.
            channel.disconnect();
        }
        channel.connect(peer);
        if (held != null && !peer.equals(heldFrom)) {
            // A connected socket only receives from its peer; drop what came from elsewhere.
            held = null;
            heldFrom = null;
        }
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        int n = channel.write(src);
        if (n == 0 && src.hasRemaining()) {
            source.rearm(Interest.WRITABLE);
        }
        return n;
    }

    @Override
    public int receive(ByteBuffer dst) throws IOException {
        if (held != null) {
            return takeHeld(dst);
        }
        if (!channel.isConnected()) {
            // recv(2) works unconnected: the datagram, without its sender.
            int start = dst.position();
            if (channel.receive(dst) == null) {
                source.rearm(Interest.READABLE);
                return 0;
            }
            return dst.position() - start;
        }
        int n = channel.read(dst);
        if (n == 0) {
            source.rearm(Interest.READABLE);
        }
        return n;
    }

    @Override
    public InetSocketAddress peerAddress() throws IOException {
        return (InetSocketAddress) channel.getRemoteAddress();
    }

    @Override
    public void close() throws IOException {
        held = null;
        super.close();
    }
}
