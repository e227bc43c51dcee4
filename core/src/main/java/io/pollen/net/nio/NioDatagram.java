package io.pollen.net.nio;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A UDP socket over a non-blocking {@link DatagramChannel}. A receive that finds nothing re-arms
 * READABLE, a send that would block re-arms WRITABLE.
 *
 * <p>{@code peekFrom} is emulated (java.nio has no {@code MSG_PEEK}): it receives the datagram
 * into a 64 KiB buffer held here, and the next receive hands that datagram out first, truncated
 * to the destination like a real receive. Not thread-safe.
 */
final class NioDatagram implements DatagramImpl {
    private static final int MAX_DATAGRAM = 65_536;

    private final DatagramChannel channel;
    private final NioSource source;
    private ByteBuffer holdBuffer;
    /** The peeked datagram (read mode) and its source, or null. */
    private ByteBuffer held;
    private InetSocketAddress heldFrom;

    NioDatagram(DatagramChannel channel) {
        this.channel = channel;
        this.source = new NioSource(channel);
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
        int len = Math.min(dst.remaining(), held.remaining());
        dst.put(dst.position(), held, held.position(), len);
        dst.position(dst.position() + len);
        return heldFrom;
    }

    /** Hands out the held datagram, truncated to {@code dst} as a receive would. */
    private int takeHeld(ByteBuffer dst) {
        int len = Math.min(dst.remaining(), held.remaining());
        dst.put(dst.position(), held, held.position(), len);
        dst.position(dst.position() + len);
        held = null;
        heldFrom = null;
        return len;
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
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
    public Source source() {
        return source;
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        NioOptions.set(channel, option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return NioOptions.get(channel, option);
    }

    @Override
    public void close() throws IOException {
        held = null;
        channel.close();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }
}
