package io.pollen.net.spi;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Opens sockets of one flavor. Every socket is non-blocking and close-on-exec from birth.
 * {@code io.pollen.net.Sockets#factory(Backend)} picks the flavor that matches a backend.
 *
 * <p>The address picks the family: an {@link java.net.InetSocketAddress} opens a TCP/UDP socket
 * of its IP version, an {@code io.pollen.net.UnixSocketAddress} a Unix domain socket. Where a
 * flavor cannot do something (java.nio has no Unix datagrams and no abstract names), it throws
 * {@link UnsupportedOperationException} saying so.
 */
public interface SocketFactory {

    /**
     * Starts a non-blocking connect; the stream turns writable when it completes or fails. A Unix
     * connect completes (or fails, e.g. {@code ENOENT}) in this call.
     */
    StreamImpl connect(SocketAddress remote) throws IOException;

    /**
     * As {@link #connect}, except that a flavor may leave the connect to the stream's first
     * registration (which a completion driver then performs as its own operation). The stream must
     * be registered at once. By default, {@link #connect}.
     */
    default StreamImpl connectOnRegister(SocketAddress remote) throws IOException {
        return connect(remote);
    }

    /**
     * Binds and listens. For IP, {@code SO_REUSEADDR} is set before bind (servers expect to rebind
     * a port in TIME_WAIT), and {@code SO_REUSEPORT} when {@code reusePort}.
     */
    ListenerImpl listen(SocketAddress local, int backlog, boolean reusePort) throws IOException;

    /** Opens a datagram socket bound to {@code local} (a Unix one is left unbound for {@code unnamed()}). */
    DatagramImpl bindDatagram(SocketAddress local) throws IOException;

    /** Two connected Unix stream sockets ({@code socketpair}). */
    StreamImpl[] streamPair() throws IOException;

    /** Two connected Unix datagram sockets ({@code socketpair}). */
    DatagramImpl[] datagramPair() throws IOException;

    /** An unnamed pipe: {read end, write end}, non-blocking and close-on-exec. */
    PipeImpl[] pipe() throws IOException;
}
