package io.pollen.net.nio;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@link ServerSocketChannel}; accept re-arms READABLE when nothing is pending. */
final class NioListener extends NioSocket<ServerSocketChannel> implements ListenerImpl {

    NioListener(ServerSocketChannel channel) {
        super(channel);
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
}
