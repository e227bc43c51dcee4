package io.pollen.net;

import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The byte-stream half of {@link StreamSocket} that {@link TcpStream} and {@link UnixStream} share
 * word for word: reads, writes, peek, shutdown and the pending error, each handed to the
 * {@link StreamImpl} of the backend's flavor. What differs (how a stream is made, the address
 * types, TCP's options, Unix peer credentials) stays in the public classes.
 *
 * <p>The conventions are {@link StreamSocket}'s: reads return the bytes read, {@code -1} at end of
 * stream and {@code 0} when they would block; writes return {@code 0} when they would block;
 * readiness is edge-triggered. Not thread-safe. Package-private: its public methods belong to each
 * public subclass's API (see {@link NetSource}).
 */
abstract sealed class NetStream extends BufferSizedSocket<StreamImpl> implements StreamSocket
        permits TcpStream, UnixStream {

    NetStream(String type, StreamImpl impl, Backend backend) {
        super(type, impl, backend);
    }

    /**
     * Reads into {@code dst}: bytes read, {@code -1} at end of stream, {@code 0} if it would block.
     * A short read may end the round like "would block" does (see the class docs).
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        return impl.read(dst);
    }

    /** Scattering read ({@code readv}); same convention as {@link #read(ByteBuffer) read(ByteBuffer)}. */
    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return impl.read(dsts, 0, dsts.length);
    }

    /** Reads without consuming: the next read returns the same bytes. Same convention as read. */
    @Override
    public int peek(ByteBuffer dst) throws IOException {
        return impl.peek(dst);
    }

    /** Writes from {@code src}: bytes written (maybe fewer than remaining), {@code 0} if it would block. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        return impl.write(src);
    }

    /** Gathering write ({@code writev}); same convention as {@link #write(ByteBuffer) write(ByteBuffer)}. */
    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return impl.write(srcs, 0, srcs.length);
    }

    /** Shuts down one or both halves; see {@link Shutdown}. The socket stays open. */
    @Override
    public void shutdown(Shutdown how) throws IOException {
        Objects.requireNonNull(how, "how");
        impl.shutdown(how != Shutdown.WRITE, how != Shutdown.READ);
    }

    /**
     * The pending socket error ({@code SO_ERROR} on the native backends), cleared by reading it, or
     * {@code null}. After a TCP {@link TcpStream#connect connect}, {@code null} means it succeeded
     * (or is still in progress) and an exception says why it failed; a Unix connect fails inside
     * {@link UnixStream#connect connect} instead. On nio this is always {@code null} except after a
     * failed TCP connect: java.nio only reports connect failures. See the class docs for what each
     * backend reports.
     */
    @Override
    public IOException takeError() throws IOException {
        return impl.takeError();
    }
}
