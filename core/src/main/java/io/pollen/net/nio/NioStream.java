package io.pollen.net.nio;

import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;

/**
 * A TCP stream over a non-blocking {@link SocketChannel}.
 *
 * <p>Every operation that would block, and every short read, re-arms the matching readiness with the nio backend (read
 * and peek: READABLE; a write that leaves bytes behind: WRITABLE). A peek re-arms READABLE even
 * when it found bytes: they were moved out of the socket, so only new bytes can raise an event,
 * and they must (epoll reports each arrival). A pending connect is finished by the nio backend
 * when it completes (its failure kept there for {@link #takeError}), or by the first read, write,
 * peek, {@link #peerAddress} or {@code takeError} that comes earlier; until then they report
 * "would block". {@code peek} is emulated: java.nio has no {@code MSG_PEEK}, so peeked bytes
 * are read into a buffer here and handed out first by the following reads.
 *
 * <p>Not thread-safe, like the socket it wraps is not meant to be shared between I/O threads.
 */
final class NioStream extends NioSocket<SocketChannel> implements StreamImpl {
    /** A failed connect seen by read/write/peerAddress, kept for {@link #takeError}. */
    private IOException connectFailure;
    /** Whether a connect failure was already handed out (by I/O or takeError). */
    private boolean failureSeen;
    /** Bytes peeked but not yet read (read mode), or null. */
    private ByteBuffer peeked;
    private boolean peekedEof;

    NioStream(SocketChannel channel) {
        super(channel);
    }

    /**
     * Finishes a pending connect: true once connected, false while in progress; throws its failure
     * (the first time), whether this call or the nio backend finished it.
     */
    private boolean connected() throws IOException {
        if (!channel.isConnectionPending()) {
            if (!channel.isOpen() && connectFailure == null && !failureSeen) {
                // Closed: by the JDK after the backend's finishConnect failed, or by our owner.
                IOException e = source.takeConnectError();
                if (e != null) {
                    failureSeen = true;
                    connectFailure = e;
                    throw e;
                }
            }
            return true;
        }
        try {
            if (!channel.finishConnect()) {
                return false;
            }
        } catch (IOException e) {
            failureSeen = true;
            connectFailure = e;
            throw e;
        }
        // Readiness other than the connect itself can be watched only now.
        source.rearm(Interest.READABLE);
        return true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (peeked != null) {
            return fromPeeked(dst);
        }
        if (!connected()) {
            source.rearm(Interest.READABLE);
            return 0;
        }
        int n = channel.read(dst);
        if (n >= 0 && dst.hasRemaining()) {
            // Would block, or a short read (the queue ran dry): re-arm for both, so a caller may
            // stop after a short read as it can on epoll (TcpStream#read's contract).
            source.rearm(Interest.READABLE);
        }
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (peeked != null) {
            long total = 0;
            for (int i = offset; i < offset + length && peeked != null; i++) {
                total += fromPeeked(dsts[i]);
            }
            return total;
        }
        if (!connected()) {
            source.rearm(Interest.READABLE);
            return 0;
        }
        long n = channel.read(dsts, offset, length);
        if (n >= 0 && StreamImpl.anyRemaining(dsts, offset, length)) {
            source.rearm(Interest.READABLE);
        }
        return n;
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        if (!connected()) {
            source.rearm(Interest.READABLE);
            return 0;
        }
        int want = dst.remaining();
        int have = peeked == null ? 0 : peeked.remaining();
        if (have < want && !peekedEof) {
            ByteBuffer buf = ByteBuffer.allocate(Math.max(want, 64));
            if (peeked != null) {
                buf.put(peeked);
            }
            int n = channel.read(buf);
            if (n < 0) {
                peekedEof = true;
            } else {
                // Would block, or bytes moved into our buffer: either way the socket's queue is
                // drained as far as the backend can tell, so the next arrival must be reported.
                source.rearm(Interest.READABLE);
            }
            buf.flip();
            peeked = buf.hasRemaining() ? buf : null;
        }
        if (peeked == null) {
            return peekedEof ? -1 : 0;
        }
        return copy(peeked, dst);
    }

    /**
     * Hands out (consumes) peeked bytes. When they run out before {@code dst} is full, that is a
     * short read like any other: re-arm, since the caller may stop here.
     */
    private int fromPeeked(ByteBuffer dst) {
        int len = copy(peeked, dst);
        peeked.position(peeked.position() + len);
        if (!peeked.hasRemaining()) {
            peeked = null; // an end of stream seen by peek is found again by the next channel read
            if (dst.hasRemaining()) {
                source.rearm(Interest.READABLE);
            }
        }
        return len;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!connected()) {
            source.rearm(Interest.WRITABLE);
            return 0;
        }
        int n = channel.write(src);
        if (src.hasRemaining()) {
            source.rearm(Interest.WRITABLE);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (!connected()) {
            source.rearm(Interest.WRITABLE);
            return 0;
        }
        long n = channel.write(srcs, offset, length);
        if (StreamImpl.anyRemaining(srcs, offset, length)) {
            source.rearm(Interest.WRITABLE);
        }
        return n;
    }

    @Override
    public void shutdown(boolean read, boolean write) throws IOException {
        if (!connected()) {
            throw new NotYetConnectedException();
        }
        if (read) {
            channel.shutdownInput();
        }
        if (write) {
            channel.shutdownOutput();
        }
    }

    @Override
    public InetSocketAddress peerAddress() throws IOException {
        if (!connected()) {
            throw new NotYetConnectedException();
        }
        return (InetSocketAddress) channel.getRemoteAddress();
    }

    @Override
    public IOException takeError() {
        IOException failure = connectFailure;
        if (failure != null) {
            connectFailure = null;
            return failure;
        }
        try {
            connected();
            return null;
        } catch (IOException e) {
            connectFailure = null;
            return e;
        }
    }

    @Override
    public void close() throws IOException {
        peeked = null;
        source.takeConnectError(); // forget a failure nobody took
        super.close();
    }
}
