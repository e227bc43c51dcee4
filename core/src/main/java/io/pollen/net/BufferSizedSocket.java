package io.pollen.net;

import io.pollen.net.spi.SocketImpl;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.net.StandardSocketOptions;

/**
 * A socket ({@link NetSource}) whose kernel send and receive buffers can be sized: {@code SO_SNDBUF} and
 * {@code SO_RCVBUF}. The streams ({@link TcpStream}, {@link UnixStream}) and {@link UdpSocket}
 * have both; listeners have neither, and {@link UnixDatagram} only the send buffer (it declares
 * that one itself), so they do not extend this.
 *
 * <p>The sizes are hints: the OS may round them, cap them (Linux: {@code net.core.wmem_max} /
 * {@code rmem_max}) or double them (Linux keeps room for its bookkeeping and reports the doubled
 * value). A size must be {@code > 0}, or {@link IllegalArgumentException}. Package-private: its
 * public methods belong to each public subclass's API (see {@link NetSource}).
 *
 * @param <I> the flavor-neutral socket the subclass drives
 */
abstract sealed class BufferSizedSocket<I extends SocketImpl> extends NetSource<I> permits NetStream, UdpSocket {

    BufferSizedSocket(String type, I impl, Backend backend) {
        super(type, impl, backend);
    }

    /**
     * {@code SO_SNDBUF}: a hint; the OS may round or double it.
     *
     * @throws IllegalArgumentException if {@code bytes <= 0}
     */
    public void setSendBufferSize(int bytes) throws IOException {
        impl.setOption(StandardSocketOptions.SO_SNDBUF, Sockets.bufferSize(bytes));
    }

    /** {@code SO_SNDBUF} as the OS reports it (Linux reports double what was set). */
    public int sendBufferSize() throws IOException {
        return impl.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    /**
     * {@code SO_RCVBUF}: a hint; the OS may round or double it.
     *
     * @throws IllegalArgumentException if {@code bytes <= 0}
     */
    public void setReceiveBufferSize(int bytes) throws IOException {
        impl.setOption(StandardSocketOptions.SO_RCVBUF, Sockets.bufferSize(bytes));
    }

    /** {@code SO_RCVBUF} as the OS reports it (Linux reports double what was set). */
    public int receiveBufferSize() throws IOException {
        return impl.getOption(StandardSocketOptions.SO_RCVBUF);
    }
}
