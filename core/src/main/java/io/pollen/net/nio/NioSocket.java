package io.pollen.net.nio;

import io.pollen.net.spi.SocketImpl;
import io.pollen.poll.Source;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;

/**
 * What the three nio socket kinds share: the channel, its {@link NioSource}, the local address,
 * socket options and close. The kinds add their I/O and the re-arming that goes with it.
 */
abstract sealed class NioSocket<C extends SelectableChannel & NetworkChannel> implements SocketImpl
        permits NioListener, NioStream, NioDatagram {
    final C channel;
    final NioSource source;

    NioSocket(C channel) {
        this.channel = channel;
        this.source = new NioSource(channel);
    }

    @Override
    public final Source source() {
        return source;
    }

    @Override
    public final SocketAddress localAddress() throws IOException {
        return NioAddresses.fromNio(channel.getLocalAddress());
    }

    @Override
    public final <T> void setOption(SocketOption<T> option, T value) throws IOException {
        NioOptions.set(channel, option, value);
    }

    @Override
    public final <T> T getOption(SocketOption<T> option) throws IOException {
        return NioOptions.get(channel, option);
    }

    /** Closing the channel also cancels its key with the nio backend (the JDK does it). */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public final boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Copies what fits of {@code held} (bytes kept by an emulated peek) into {@code dst}: advances
     * {@code dst}, leaves {@code held} as it was (the caller decides whether it was consumed).
     */
    static int copy(ByteBuffer held, ByteBuffer dst) {
        int len = Math.min(dst.remaining(), held.remaining());
        dst.put(dst.position(), held, held.position(), len);
        dst.position(dst.position() + len);
        return len;
    }
}
