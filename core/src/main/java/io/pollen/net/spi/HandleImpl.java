package io.pollen.net.spi;

import io.pollen.poll.Source;

import java.io.Closeable;
import java.io.IOException;

/**
 * What every socket and pipe end of either flavor has (a native fd driven through FFM, or a
 * java.nio channel): the source to register, a close that happens once, and whether it is open.
 * {@link SocketImpl} and {@link PipeImpl} extend it, so that the public types in
 * {@code io.pollen.net} can register, close and report themselves in one place whatever they hold.
 */
public interface HandleImpl extends Closeable {

    /** The source to register; delegates to {@code SourceFd} or {@code SourceChannel}. */
    Source source();

    /** Closes the socket or pipe end exactly once; later calls do nothing. */
    @Override
    void close() throws IOException;

    /** Whether it is open: false after {@link #close()}, and on nio also once the JDK closed the channel (a failed connect). */
    boolean isOpen();
}
