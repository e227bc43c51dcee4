package io.pollen.net.fd;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.Options;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Source;
import io.pollen.poll.spi.AcceptIo;
import io.pollen.poll.spi.FdSelector;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.FdOpen;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

/**
 * A listening stream socket (TCP or Unix) on a non-blocking fd. {@link #accept()} goes through
 * {@link FdOpen#accept}: {@code accept4} with {@code SOCK_NONBLOCK | SOCK_CLOEXEC} where the OS has
 * it (an accepted socket is then never blocking or inheritable, not even for an instant), else
 * {@code accept} and {@code fcntl} (macOS).
 *
 * <p>A connection the peer reset before it was accepted ({@code ECONNABORTED}) is skipped and the
 * next one taken: returning "none pending" there would let an edge-triggered owner stop draining
 * while other connections wait.
 *
 * <p>Registered with a completion driver (io_uring's loop driver), a TCP listener's accepts go
 * through the driver's {@link AcceptIo} (a multishot accept's queue) until it is deregistered; the
 * results and errors are the same.
 */
final class FdListener extends FdSocket implements ListenerImpl {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_RCVBUF, Options.IP_TTL);
    private static final Set<SocketOption<?>> UNIX_OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF);

    /** The completion driver's accepts while registered with one, else null; loop thread. */
    private AcceptIo io;
    private final Source source = new HookedSource();

    FdListener(int fd, int family) {
        super(fd, family);
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    void attach(FdSelector selector, long token, int interest) throws IOException {
        io = selector.registerListener(fd, token, interest);
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
    public StreamImpl accept() throws IOException {
        int f = begin();
        try {
            AcceptIo a = io;
            if (a != null) {
                int c = a.accept();
                return c < 0 ? null : new FdStream(c, family, false);
            }
            for (;;) {
                int c;
                try {
                    c = FdOpen.accept(f);
                } catch (NativeIOException e) {
                    if (e.errno() == Errno.ECONNABORTED) {
                        continue;
                    }
                    throw e;
                }
                return c == Native.WOULD_BLOCK ? null : new FdStream(c, family, false);
            }
        } finally {
            end();
        }
    }
}
