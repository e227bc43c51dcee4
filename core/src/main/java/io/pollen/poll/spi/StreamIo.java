package io.pollen.poll.spi;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The I/O of one stream socket as a completion driver performs it: the hook a socket consults
 * instead of its own system calls while it is registered with such a driver (io_uring's
 * {@code UringDriver}; see {@link FdSelector#registerStream}). Internal.
 *
 * <p>The conventions are the socket's own (java.nio's), so that code above the socket cannot tell:
 * reads return the bytes copied, {@code 0} when nothing has arrived ("would block"), {@code -1} at
 * end of stream, and throw the {@code NativeIOException} of a failed receive (named {@code recv});
 * writes return the bytes taken, {@code 0} when the socket's send buffer is full. Readiness follows
 * the bytes: the driver reports {@link Ready#READABLE} when received bytes are kept for a read, and
 * {@link Ready#WRITABLE} when room came back after a write returned less than was offered.
 *
 * <p>Owner thread only (the loop's), between the socket's own open checks.
 */
public interface StreamIo {

    /** Copies kept received bytes into {@code dst}; see the class docs for the results. */
    int read(ByteBuffer dst) throws IOException;

    /** Scattering {@link #read(ByteBuffer)}. */
    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    /** As {@link #read(ByteBuffer)} without consuming. */
    int peek(ByteBuffer dst) throws IOException;

    /** Takes bytes of {@code src} for sending; the driver sends them in order. */
    int write(ByteBuffer src) throws IOException;

    /** Gathering {@link #write(ByteBuffer)}. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** Shuts the write half down once every byte taken was sent (at once when none waits). */
    void shutdownOutput() throws IOException;

    /**
     * The errno of a connect this driver performed ({@link FdSelector#registerConnect}) and that
     * failed, cleared by reading it; 0 when none failed (or the connect was the socket's own).
     */
    default int takeConnectError() {
        return 0;
    }
}
