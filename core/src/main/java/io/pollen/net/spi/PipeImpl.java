package io.pollen.net.spi;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One end of an unnamed pipe, of either flavor (a native fd from {@code pipe2}, or a java.nio
 * {@link java.nio.channels.Pipe} channel). Conventions as {@link StreamImpl}: reads return -1 at
 * end of stream and 0 when they would block; writes return 0 when they would block. Reading the
 * write end (or writing the read end) throws {@link UnsupportedOperationException}.
 */
public interface PipeImpl extends HandleImpl {

    int read(ByteBuffer dst) throws IOException;

    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    int write(ByteBuffer src) throws IOException;

    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;
}
