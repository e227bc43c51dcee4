package io.pollen.poll.spi;

import java.io.IOException;

/**
 * Accepting as a completion driver does it for a listening socket it registered (io_uring: a
 * multishot accept whose completions queue the new connections; see
 * {@link FdSelector#registerListener}). Internal. The listener's {@code accept} consults it instead
 * of calling {@code accept4} itself.
 */
public interface AcceptIo {

    /**
     * The next accepted connection's fd (non-blocking, close-on-exec; the caller owns it), or
     * {@code -1} when none waits ("would block": the driver reports the listener readable when one
     * arrives). A failed accept ({@code EMFILE}...) is thrown once, as {@code accept4} would throw
     * it; the connection stays queued in the kernel for the next call.
     */
    int accept() throws IOException;
}
