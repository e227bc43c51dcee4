package io.pollen.net.fd;

import io.pollen.net.UnixSocketAddress;
import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.Options;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.SockAddr;
import io.pollen.sys.unix.UnixNet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
import java.util.Set;

/**
 * A datagram socket on a non-blocking fd: UDP, or Unix {@code SOCK_DGRAM} (whose datagrams are
 * reliable and ordered, and whose sends block when the receiver's queue is full). Each call moves one whole datagram; a datagram longer than the
 * buffer's room is truncated, the rest discarded (as java.nio does). An empty datagram is a
 * datagram: {@link #receiveFrom} returns its source with nothing read. A heap buffer transfers at
 * most {@link Scratch#STAGING_MAX} bytes, more than any UDP payload over IPv4 (65,507).
 */
final class FdDatagram extends FdSocket implements DatagramImpl {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, Options.IP_TTL);
    private static final Set<SocketOption<?>> UNIX_OPTIONS = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF);

    private volatile boolean connected;
    /** The last Unix target and its sun_path bytes: a sender to one peer copies them once, not per datagram. */
    private record UnixTarget(UnixSocketAddress address, byte[] sunPath) {
    }

    private volatile UnixTarget lastTarget;

    FdDatagram(int fd, int family) {
        this(fd, family, false);
    }

    /** {@code connected}: an end of a socketpair, whose peer is fixed from birth. */
    FdDatagram(int fd, int family, boolean connected) {
        super(fd, family);
        this.connected = connected;
    }

    @Override
    Set<SocketOption<?>> options() {
        return family == ABI.AF_UNIX ? UNIX_OPTIONS : OPTIONS;
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target");
        int f = begin();
        try {
            long n = FdBuffers.send(f, src, family, target instanceof UnixSocketAddress u ? sunPath(u) : target);
            return n == Native.WOULD_BLOCK ? 0 : (int) n;
        } finally {
            end();
        }
    }

    private byte[] sunPath(UnixSocketAddress u) {
        UnixTarget t = lastTarget;   // one read: the pair stays consistent even if two threads send
        if (t == null || t.address != u) {
            lastTarget = t = new UnixTarget(u, u.sunPath());
        }
        return t.sunPath;
    }

    @Override
    public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
        return from(dst, 0);
    }

    @Override
    public SocketAddress peekFrom(ByteBuffer dst) throws IOException {
        return from(dst, ABI.MSG_PEEK);
    }

    private SocketAddress from(ByteBuffer dst, int flags) throws IOException {
        int f = begin();
        try {
            long n = FdBuffers.receive(f, dst, flags, true);
            if (n == Native.WOULD_BLOCK) {
                return null;
            }
            return family == ABI.AF_UNIX ? UnixSocketAddress.fromSunPath(UnixNet.lastSource())
                    : SockAddr.decode(Scratch.get().sockaddr);
        } finally {
            end();
        }
    }

    @Override
    public void connect(SocketAddress peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        int f = begin();
        try {
            if (peer instanceof UnixSocketAddress u) {
                UnixNet.connect(f, u.sunPath());
            } else {
                Net.connect(f, family, (InetSocketAddress) peer);   // UDP connects at once: it only records the peer
            }
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
    public SocketAddress peerAddress() throws IOException {
        int f = begin();
        try {
            return address(f, true);
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
