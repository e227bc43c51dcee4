package io.pollen.net.nio;

import io.pollen.net.UnixSocketAddress;
import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.PipeImpl;
import io.pollen.net.spi.SocketFactory;
import io.pollen.net.spi.StreamImpl;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
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
 *
 * <p>Unix domain sockets: streams and listeners on socket files only. java.nio has no Unix
 * datagram channel, no abstract names, no {@code socketpair} and no peer credentials; those throw
 * {@link UnsupportedOperationException} naming the native backends. Pipes are java.nio's own
 * {@link java.nio.channels.Pipe}.
 */
public final class NioSocketFactory implements SocketFactory {
    public static final NioSocketFactory INSTANCE = new NioSocketFactory();

    private NioSocketFactory() {
    }

    @Override
    public StreamImpl connect(SocketAddress remote) throws IOException {
        SocketAddress target = nio(remote);
        SocketChannel ch = SocketChannel.open(family(remote));
        try {
            ch.configureBlocking(false);
            ch.connect(target);
            return new NioStream(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public ListenerImpl listen(SocketAddress local, int backlog, boolean reusePort) throws IOException {
        SocketAddress at = nio(local);
        ServerSocketChannel ch = ServerSocketChannel.open(family(local));
        try {
            ch.configureBlocking(false);
            if (local instanceof InetSocketAddress) {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort) {
                    NioOptions.set(ch, StandardSocketOptions.SO_REUSEPORT, true);
                }
            }
            ch.bind(at, backlog);
            return new NioListener(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public DatagramImpl bindDatagram(SocketAddress local) throws IOException {
        if (local instanceof UnixSocketAddress) {
            throw NioAddresses.unsupported("Unix datagram sockets (java.nio has no Unix DatagramChannel)");
        }
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

    @Override
    public StreamImpl[] streamPair() {
        throw NioAddresses.unsupported("Unix stream pairs (socketpair)");
    }

    @Override
    public DatagramImpl[] datagramPair() {
        throw NioAddresses.unsupported("Unix datagram pairs (socketpair; java.nio has no Unix DatagramChannel)");
    }

    @Override
    public PipeImpl[] pipe() throws IOException {
        return NioPipe.open();
    }

    private static SocketAddress nio(SocketAddress address) {
        return address instanceof UnixSocketAddress u ? NioAddresses.toNio(u) : address;
    }

    private static ProtocolFamily family(SocketAddress address) {
        if (address instanceof UnixSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        return ((InetSocketAddress) address).getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
    }
}
