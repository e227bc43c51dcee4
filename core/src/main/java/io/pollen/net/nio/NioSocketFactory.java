package io.pollen.net.nio;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.SocketFactory;
import io.pollen.net.spi.StreamImpl;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Opens java.nio channels in non-blocking mode, for the nio backend. The protocol family follows
 * the address (an IPv4 address gets an IPv4 socket, not a dual-stack one), so local and peer
 * addresses come back in the family they went in.
 *
 * <p>Differences from the native flavor, all forced by java.nio: a refused or failed connect
 * closes the channel (the JDK does so in {@code finishConnect}, which the nio backend calls when
 * the connect completes; the failure is kept for {@code takeError}); {@code IP_TTL} is unsupported;
 * {@code peek} is emulated with a small buffer inside the socket (there is no {@code MSG_PEEK}).
 */
public final class NioSocketFactory implements SocketFactory {
    public static final NioSocketFactory INSTANCE = new NioSocketFactory();

    private NioSocketFactory() {
    }

    @Override
    public StreamImpl connect(InetSocketAddress remote) throws IOException {
        SocketChannel ch = SocketChannel.open(family(remote));
        try {
            ch.configureBlocking(false);
            ch.connect(remote);
            return new NioStream(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public ListenerImpl listen(InetSocketAddress local, int backlog, boolean reusePort) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(family(local));
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                NioOptions.set(ch, StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.bind(local, backlog);
            return new NioListener(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public DatagramImpl bindDatagram(InetSocketAddress local) throws IOException {
        DatagramChannel ch = DatagramChannel.open(family(local));
        try {
            ch.configureBlocking(false);
            ch.bind(local);
            return new NioDatagram(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static ProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }
}
