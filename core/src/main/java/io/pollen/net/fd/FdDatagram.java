package io.pollen.net.fd;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.Options;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.linux.Linux;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.SockAddr;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
import java.util.Set;

/**
 * A UDP socket on a non-blocking fd. Each call moves one whole datagram; a datagram longer than the
 * buffer's room is truncated, the rest discarded (as java.nio does). An empty datagram is a
 * datagram: {@link #receiveFrom} returns its source with nothing read. A heap buffer transfers at
 * most {@link Scratch#STAGING_MAX} bytes, more than any UDP payload over IPv4 (65,507).
 */
final class FdDatagram extends FdSocket implements DatagramImpl {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, Options.IP_TTL);

    private volatile boolean connected;

    FdDatagram(int fd, int family) {
        super(fd, family);
    }

    @Override
    Set<SocketOption<?>> options() {
        return OPTIONS;
    }

    @Override
    public int sendTo(ByteBuffer src, InetSocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target");
        int f = begin();
        try {
            long n = FdBuffers.send(f, src, family, target);
            return n == Native.WOULD_BLOCK ? 0 : (int) n;
        } finally {
            end();
        }
    }

    @Override
    public InetSocketAddress receiveFrom(ByteBuffer dst) throws IOException {
        return from(dst, 0);
    }

    @Override
    public InetSocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return from(dst, Linux.MSG_PEEK);
    }

    private InetSocketAddress from(ByteBuffer dst, int flags) throws IOException {
        int f = begin();
        try {
            long n = FdBuffers.receive(f, dst, flags, true);
            return n == Native.WOULD_BLOCK ? null : SockAddr.decode(Scratch.get().sockaddr);
        } finally {
            end();
        }
    }

    @Override
    public void connect(InetSocketAddress peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        int f = begin();
        try {
            Net.connect(f, family, peer);   // UDP connects at once: it only records the peer
            connected = true;
        } finally {
            end();
        }
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
        int f = beginConnected();
        try {
            long n = FdBuffers.send(f, src, family, null);
            return n == Native.WOULD_BLOCK ? 0 : (int) n;
        } finally {
            end();
        }
    }

    @Override
    public int receive(ByteBuffer dst) throws IOException {
        int f = begin(); // recv(2) works unconnected too (the datagram, without its sender), as in mio
        try {
            long n = FdBuffers.receive(f, dst, 0, false);
            return n == Native.WOULD_BLOCK ? 0 : (int) n;
        } finally {
            end();
        }
    }

    private int beginConnected() throws IOException {
        int f = begin();
        if (!connected) {
            end();
            throw new NotYetConnectedException();
        }
        return f;
    }

    /** The connected peer, or {@code null} if {@link #connect} was not called. */
    @Override
    public InetSocketAddress peerAddress() throws IOException {
        int f = begin();
        try {
            return Net.getpeername(f);
        } catch (NativeIOException e) {
            if (e.errno() == Errno.ENOTCONN) {
                return null;
            }
            throw e;
        } finally {
            end();
        }
    }
}
