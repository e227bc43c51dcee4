package io.pollen.net.nio;

import io.pollen.net.spi.PipeImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;

/**
 * One end of a {@link java.nio.channels.Pipe}, non-blocking. As for the nio sockets, a read that
 * would block (or comes up short) re-arms READABLE and a write that leaves bytes re-arms WRITABLE.
 * A write after the read end closed fails with the JDK's {@code IOException} ("Broken pipe").
 */
final class NioPipe implements PipeImpl {
    private final SelectableChannel channel;
    private final Pipe.SourceChannel in;
    private final Pipe.SinkChannel out;
    private final NioSource source;

    private NioPipe(SelectableChannel channel, Pipe.SourceChannel in, Pipe.SinkChannel out) throws IOException {
        channel.configureBlocking(false);
        this.channel = channel;
        this.in = in;
        this.out = out;
        this.source = new NioSource(channel);
    }

    /** {read end, write end} of a new pipe; both ends closed if setting them up fails. */
    static PipeImpl[] open() throws IOException {
        Pipe p = Pipe.open();
        try {
            return new PipeImpl[] {new NioPipe(p.source(), p.source(), null), new NioPipe(p.sink(), null, p.sink())};
        } catch (IOException | RuntimeException e) {
            p.source().close();
            p.sink().close();
            throw e;
        }
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = reader().read(dst);
        if (n >= 0 && dst.hasRemaining()) {
            source.rearm(Interest.READABLE);
        }
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long n = reader().read(dsts, offset, length);
        if (n >= 0 && StreamImpl.anyRemaining(dsts, offset, length)) {
            source.rearm(Interest.READABLE);
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = writer().write(src);
        if (src.hasRemaining()) {
            source.rearm(Interest.WRITABLE);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = writer().write(srcs, offset, length);
        if (StreamImpl.anyRemaining(srcs, offset, length)) {
            source.rearm(Interest.WRITABLE);
        }
        return n;
    }

    private Pipe.SourceChannel reader() {
        if (in == null) {
            throw new UnsupportedOperationException("cannot read the write end of a pipe");
        }
        return in;
    }

    private Pipe.SinkChannel writer() {
        if (out == null) {
            throw new UnsupportedOperationException("cannot write the read end of a pipe");
        }
        return out;
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
