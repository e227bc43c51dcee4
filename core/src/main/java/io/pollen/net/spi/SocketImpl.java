package io.pollen.net.spi;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * What every socket flavor provides: the native one (a file descriptor driven through FFM, for the
 * epoll/kqueue backends) and the nio one (a java.nio channel, for the nio backend). The public
 * types in {@code io.pollen.net} hold one of these and add the documented API around it.
 *
 * <p>All methods are non-blocking. Return conventions follow java.nio: reads return -1 at end of
 * stream and 0 when they would block; writes return 0 when they would block. The address family
 * (IPv4, IPv6, Unix) follows the address the socket was opened with. Errors are
 * {@link IOException}s; native ones are {@code NativeIOException}s naming the call and errno.
 */
public interface SocketImpl extends HandleImpl {

    /** The bound address: an {@code InetSocketAddress}, or an {@code io.pollen.net.UnixSocketAddress}. */
    SocketAddress localAddress() throws IOException;

    /**
     * Sets an option: the {@link java.net.StandardSocketOptions} ones ({@code TCP_NODELAY},
     * {@code SO_REUSEADDR}, {@code SO_REUSEPORT}, {@code SO_KEEPALIVE}, {@code SO_LINGER},
     * {@code SO_SNDBUF}, {@code SO_RCVBUF}, {@code SO_BROADCAST}) and {@link Options#IP_TTL}.
     *
     * @throws UnsupportedOperationException if this flavor or socket type cannot set it
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;
}
