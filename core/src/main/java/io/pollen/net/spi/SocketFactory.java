package io.pollen.net.spi;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens sockets of one flavor. Every socket is non-blocking and close-on-exec from birth.
 * {@code io.pollen.net.Sockets#factory(Backend)} picks the flavor that matches a backend.
 */
public interface SocketFactory {

    /** Starts a non-blocking connect; the stream turns writable when it completes or fails. */
    StreamImpl connect(InetSocketAddress remote) throws IOException;

    /**
     * Binds and listens. {@code SO_REUSEADDR} is set before bind (servers expect to rebind a port in
     * TIME_WAIT), and {@code SO_REUSEPORT} when {@code reusePort}.
     */
    ListenerImpl listen(InetSocketAddress local, int backlog, boolean reusePort) throws IOException;

    /** Opens a UDP socket bound to {@code local}. */
    DatagramImpl bindDatagram(InetSocketAddress local) throws IOException;
}
