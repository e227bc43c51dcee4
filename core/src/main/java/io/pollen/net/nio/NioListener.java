package io.pollen.net.nio;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@link ServerSocketChannel}; accept re-arms READABLE when nothing is pending. */
final class NioListener implements ListenerImpl {
    private final ServerSocketChannel channel;
    private final NioSource source;

    NioListener(ServerSocketChannel channel) {
        this.channel = channel;
        this.source = new NioSource(channel);
    }

    @Override
    public StreamImpl accept() throws IOException {
        SocketChannel accepted = channel.accept();
        if (accepted == null) {
            source.rearm(Interest.READABLE);
            return null;
        }
        try {
            accepted.configureBlocking(false);
            return new NioStream(accepted);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
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
        channel.close();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }
}
