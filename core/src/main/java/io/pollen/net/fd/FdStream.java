package io.pollen.net.fd;

import io.pollen.net.spi.Options;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Source;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.StreamIo;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.bsd.KQueue;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;

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
 * A stream socket on a non-blocking fd, TCP or Unix (the family only changes the addresses and the
 * options it takes): one opened by {@link FdSocketFactory#connect} (a TCP connect may still be in
 * progress), accepted by {@link FdListener}, or an end of a {@code socketpair}. Return conventions are java.nio's: reads
 * return -1 at end of stream and 0 when they would block; writes return 0 when they would block.
 * Writes use {@code send}/{@code sendmsg} with {@code MSG_NOSIGNAL} (on macOS the socket carries
 * {@code SO_NOSIGPIPE} instead): a write to a broken connection throws {@code send failed: EPIPE ...}
 * and never raises SIGPIPE.
 *
 * <p>Not thread-safe for concurrent reads (or concurrent writes); one reader and one writer may run
 * at once, and {@link #close()} may come from any thread.
 *
 * <h2>On a completion driver</h2>
 * A TCP stream registered with a driver that does stream I/O itself (io_uring's loop driver) gets
 * its {@link StreamIo} from the registration ({@link FdSelector#registerStream}) and, until it is
 * deregistered, reads, peeks, writes and shuts its write half down through it: the bytes were
 * received by the kernel into the driver's buffers, and are sent from them. The conventions do not
 * change. Those calls then belong to the loop's thread, as the registration does.
 */
final class FdStream extends FdSocket implements StreamImpl {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            Options.IP_TTL);
    private static final Set<SocketOption<?>> UNIX_OPTIONS = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, Options.PEER_CREDENTIALS);

    /** True from a connect that returned EINPROGRESS until it is known to have finished. */
    private volatile boolean connecting;
    /** The peer, once getpeername has answered. */
    private volatile SocketAddress peer;
    /** The completion driver's I/O for this stream while registered with one, else null; loop thread. */
    private StreamIo io;
    /** A connect left to the registration ({@link FdSocketFactory#connectOnRegister}); loop thread. */
    private InetSocketAddress deferred;
    private final Source source = new HookedSource();

    FdStream(int fd, int family, boolean connecting) {
        super(fd, family);
        this.connecting = connecting;
    }

    /** A TCP socket whose connect to {@code remote} its registration starts. */
    FdStream(int fd, int family, InetSocketAddress remote) {
        this(fd, family, true);
        this.deferred = remote;
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    void attach(FdSelector selector, long token, int interest) throws IOException {
        InetSocketAddress remote = deferred;
        if (remote != null) {
            deferred = null;
            // A completion driver connects as its own operation; any other backend: connect(2) here.
            io = selector.registerConnect(fd, token, interest, remote);
            if (io != null) {
                return;
            }
            connecting = Net.connect(fd, family, remote) == Native.WOULD_BLOCK;
        }
        io = selector.registerStream(fd, token, interest, connecting);
    }

    @Override
    void detach() {
        io = null;
    }

    @Override
    Set<SocketOption<?>> options() {
        return family == ABI.AF_UNIX ? UNIX_OPTIONS : OPTIONS;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return checkOpen(0);
        }
        int f = begin();
        try {
            StreamIo c = io;
            return c != null ? c.read(dst) : (int) toNio(FdBuffers.receive(f, dst, 0, false));
        } finally {
            end();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        int f = begin();
        try {
            if (!StreamImpl.anyRemaining(dsts, offset, length)) {
                return 0;
            }
            StreamIo c = io;
            return c != null ? c.read(dsts, offset, length) : toNio(FdBuffers.scatter(f, dsts, offset, length));
        } finally {
            end();
        }
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return checkOpen(0);
        }
        int f = begin();
        try {
            StreamIo c = io;
            return c != null ? c.peek(dst) : (int) toNio(FdBuffers.receive(f, dst, ABI.MSG_PEEK, false));
        } finally {
            end();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            return checkOpen(0);
        }
        int f = begin();
        try {
            StreamIo c = io;
            if (c != null) {
                return c.write(src);
            }
            long n = FdBuffers.send(f, src, family, null);
            return n == Native.WOULD_BLOCK ? 0 : (int) n;
        } finally {
            end();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        int f = begin();
        try {
            StreamIo c = io;
            if (c != null) {
                return c.write(srcs, offset, length);
            }
            long n = FdBuffers.gather(f, srcs, offset, length);
            return n == Native.WOULD_BLOCK ? 0 : n;
        } finally {
            end();
        }
    }

    /** bytes → bytes, 0 (end of stream) → -1, would block → 0. */
    private long toNio(long n) throws IOException {
        if (n == Native.WOULD_BLOCK) {
            return 0;
        }
        if (n == 0) {
            // On libkqueue an event may have consumed the socket's error (ECONNRESET...): the
            // read then sees end of stream where native kqueue and epoll report the error.
            int err = KQueue.takeConsumedError(fd);
            if (err != 0) {
                throw Native.error("recv", err);
            }
            return -1;
        }
        return n;
    }

    private int checkOpen(int result) throws IOException {
        begin();
        end();
        return result;
    }

    @Override
    public void shutdown(boolean read, boolean write) throws IOException {
        if (!read && !write) {
            return;
        }
        int f = begin();
        try {
            StreamIo c = io;
            if (c != null && write) {
                // Bytes taken by the driver may not be sent yet: the write half ends after them.
                if (read) {
                    Net.shutdown(f, ABI.SHUT_RD);
                }
                c.shutdownOutput();
                return;
            }
            Net.shutdown(f, read && write ? ABI.SHUT_RDWR : read ? ABI.SHUT_RD : ABI.SHUT_WR);
        } finally {
            end();
        }
    }

    @Override
    public SocketAddress peerAddress() throws IOException {
        int f = begin();
        try {
            if (peer != null) {
                return peer;   // a connected TCP socket's peer never changes: one getpeername is enough
            }
            peer = address(f, true);
            connecting = false;
            return peer;
        } catch (NativeIOException e) {
            if (e.errno() == Errno.ENOTCONN && connecting) {
                NotYetConnectedException nyc = new NotYetConnectedException();
                nyc.initCause(e);
                throw nyc;
            }
            throw e;
        } finally {
            end();
        }
    }

    /**
     * Reads and clears {@code SO_ERROR} (or, on libkqueue, the error it consumed reporting the
     * socket's last event; see {@link KQueue#takeConsumedError}). A failed connect is reported as
     * {@code connect failed: ECONNREFUSED (111) Connection refused}; an error on an established
     * connection names the call {@code "socket"}. {@code null} if there is no pending error.
     */
    @Override
    public IOException takeError() throws IOException {
        int f = begin();
        try {
            StreamIo c = io;
            int failed = c == null ? 0 : c.takeConnectError();
            if (failed != 0) {
                connecting = false;   // the driver's connect failed: its CQE, not SO_ERROR, has the errno
                return Native.error("connect", failed);
            }
            int err = Net.getInt(f, ABI.SOL_SOCKET, ABI.SO_ERROR);
            if (err == 0) {
                // libkqueue reads (so clears) SO_ERROR to report it in an event; it kept it for us.
                err = KQueue.takeConsumedError(f);
            }
            if (err == 0) {
                if (connecting) {
                    try {
                        peer = address(f, true);
                        connecting = false;   // connected: later errors are not the connect's
                    } catch (NativeIOException stillConnecting) {
                        // ENOTCONN: the connect has not finished yet; nothing to report.
                    }
                }
                return null;
            }
            String call = connecting ? "connect" : "socket";
            connecting = false;
            return Native.error(call, err);
        } finally {
            end();
        }
    }
}
