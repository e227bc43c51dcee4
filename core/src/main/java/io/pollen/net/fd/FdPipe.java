package io.pollen.net.fd;

import io.pollen.net.spi.PipeImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.sys.unix.Native;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;

/**
 * One end of a pipe opened non-blocking and close-on-exec ({@code pipe2}, or {@code pipe} + {@code fcntl}
 * on macOS: see {@code FdOpen#pipe}). It shares {@link FdSocket}'s
 * close-exactly-once protocol (a pipe is no socket: it has no address and takes no options).
 * Reads and writes are {@code read}/{@code write}/{@code readv}/{@code writev}; a write after the
 * read end closed fails with {@code write failed: EPIPE} (the JVM ignores {@code SIGPIPE}, so no
 * signal ends the process). Heap buffers go through the staging area, as for sockets.
 */
final class FdPipe extends FdSocket implements PipeImpl {
    private final boolean readEnd;

    FdPipe(int fd, boolean readEnd) {
        super(fd, 0);
        this.readEnd = readEnd;
    }

    @Override
    Set<SocketOption<?>> options() {
        return Set.of();
    }

    @Override
    public SocketAddress localAddress() {
        throw new UnsupportedOperationException("a pipe has no address");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        check(true);
        int f = begin();
        try {
            if (!dst.hasRemaining()) {
                return 0;
            }
            long n = FdBuffers.read(f, dst);
            return n == Native.WOULD_BLOCK ? 0 : n == 0 ? -1 : (int) n;
        } finally {
            end();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        check(true);
        Objects.checkFromIndexSize(offset, length, dsts.length);
        int f = begin();
        try {
            if (!StreamImpl.anyRemaining(dsts, offset, length)) {
                return 0;
            }
            long n = FdBuffers.scatter(f, dsts, offset, length);
            return n == Native.WOULD_BLOCK ? 0 : n == 0 ? -1 : n;
        } finally {
            end();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        check(false);
        int f = begin();
        try {
            if (!src.hasRemaining()) {
                return 0;
            }
            long n = FdBuffers.write(f, src);
            return n == Native.WOULD_BLOCK ? 0 : (int) n;
        } finally {
            end();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        check(false);
        Objects.checkFromIndexSize(offset, length, srcs.length);
        int f = begin();
        try {
            long n = FdBuffers.gatherWritev(f, srcs, offset, length);
            return n == Native.WOULD_BLOCK ? 0 : n;
        } finally {
            end();
        }
    }

    private void check(boolean reading) {
        if (reading != readEnd) {
            throw new UnsupportedOperationException(reading ? "cannot read the write end of a pipe"
                    : "cannot write the read end of a pipe");
        }
    }
}
