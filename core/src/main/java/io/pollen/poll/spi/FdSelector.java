package io.pollen.poll.spi;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * A {@link Selector} of a native backend (epoll, io_uring, kqueue): it watches file descriptors
 * only, and refuses java.nio channels with one message that says which backend the source was
 * opened for and what to do instead.
 */
public interface FdSelector extends Selector {

    @Override
    default void register(SelectableChannel channel, long token, int interest) {
        throw channelRefused(channel);
    }

    @Override
    default void reregister(SelectableChannel channel, long token, int interest) {
        throw channelRefused(channel);
    }

    @Override
    default void deregister(SelectableChannel channel) {
        throw channelRefused(channel);
    }

    /**
     * Registers stream socket {@code fd} (connected, or {@code connecting}) and returns the
     * {@link StreamIo} that does its reads and writes from now on, or {@code null} when this
     * backend leaves the I/O to the socket (every readiness backend: it is then a plain
     * {@link #register}). A completion driver returns one until the fd is deregistered.
     */
    default StreamIo registerStream(int fd, long token, int interest, boolean connecting) throws IOException {
        register(fd, token, interest);
        return null;
    }

    /**
     * Registers a TCP stream socket {@code fd} that has not connected yet and starts its connect
     * to {@code remote} as the driver's own operation (io_uring's {@code IORING_OP_CONNECT}),
     * returning its {@link StreamIo}: the stream is reported writable when connected, in error when
     * the connect failed ({@link StreamIo#takeConnectError}). {@code null} (every readiness backend):
     * nothing was registered; the caller issues {@code connect(2)} and {@link #registerStream}.
     */
    default StreamIo registerConnect(int fd, long token, int interest, java.net.InetSocketAddress remote)
            throws IOException {
        return null;
    }

    /**
     * Registers listening socket {@code fd} and returns the {@link AcceptIo} its accepts go through
     * from now on, or {@code null} when this backend leaves accepting to the socket (a plain
     * {@link #register}).
     */
    default AcceptIo registerListener(int fd, long token, int interest) throws IOException {
        register(fd, token, interest);
        return null;
    }

    /** Registering an fd that is registered: the one message every native backend gives. */
    static IllegalStateException alreadyRegistered(int fd, Throwable cause) {
        return new IllegalStateException("already registered: fd " + fd
                + " is registered with this Poll; use reregister to change its token or interest", cause);
    }

    /** Re- or deregistering ({@code op}) an fd that is not registered. */
    static IllegalStateException notRegistered(int fd, String op, Throwable cause) {
        return new IllegalStateException("not registered: fd " + fd + " is not registered with this Poll (" + op + ")", cause);
    }

    private IllegalArgumentException channelRefused(SelectableChannel channel) {
        return new IllegalArgumentException("cannot watch " + channel.getClass().getSimpleName()
                + " with the " + name() + " backend: the source was opened for the nio backend (a java.nio channel);"
                + " open the Poll with Backend.NIO, or open the socket for Backend."
                + name().toUpperCase(java.util.Locale.ROOT));
    }
}
