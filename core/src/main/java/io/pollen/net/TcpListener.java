package io.pollen.net;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.Options;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A non-blocking listening TCP socket that registers with a {@link io.pollen.poll.Poll}; mio's
 * {@code TcpListener}.
 *
 * {@snippet class=io.pollen.snippets.PollSnippetsTest region=accept}
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>A readable event means connections may be pending; {@link #accept()} until it returns
 *       {@code null} ("would block"), since readiness is edge-triggered: two connections arriving
 *       together may give one event.</li>
 *   <li>Accepted streams are non-blocking (and close-on-exec on the native backends) and belong to
 *       the same {@link #backend()}.</li>
 *   <li>{@code SO_REUSEADDR} is always set before bind (so a server can rebind a port in
 *       TIME_WAIT); {@code SO_REUSEPORT} when asked, so several listeners (one per event loop)
 *       can share a port and the kernel spreads connections.</li>
 *   <li>Bind to port 0 for an ephemeral port; {@link #localAddress()} tells which. IPv4 and IPv6
 *       follow the address family; a wildcard IPv6 address ({@code ::}) may accept IPv4 clients
 *       too, as the OS's default for {@code IPV6_V6ONLY} decides.</li>
 * </ul>
 *
 * <p><b>Differences between backends:</b> {@link #setTtl} throws
 * {@link UnsupportedOperationException} on nio. <b>Not guaranteed:</b> the order in which pending
 * connections are accepted; that a peer that connected is still there when accepted (an accepted
 * stream may read a reset at once).
 */
public final class TcpListener extends NetSource<ListenerImpl> implements StreamListener {
    /**
     * The backlog used when none is given: as long as the OS allows (Linux caps it at
     * {@code net.core.somaxconn}, 4096 by default). A short queue overflows under a burst of
     * connects, and every dropped handshake costs its client a one-second retransmission.
     */
    public static final int DEFAULT_BACKLOG = 65535;

    private final InetSocketAddress localAddress;

    private TcpListener(ListenerImpl impl, Backend backend) throws IOException {
        super("TcpListener", impl, backend);
        this.localAddress = (InetSocketAddress) Sockets.localAddressOrClose(impl);
    }

    /** Binds on {@link Backend#select()} with the default backlog. */
    public static TcpListener bind(InetSocketAddress local) throws IOException {
        return bind(local, Backend.select());
    }

    /** Binds for Polls of {@code backend} with the default backlog, without {@code SO_REUSEPORT}. */
    public static TcpListener bind(InetSocketAddress local, Backend backend) throws IOException {
        return bind(local, backend, DEFAULT_BACKLOG, false);
    }

    /**
     * Binds and listens.
     *
     * @param backlog   the accept queue length, {@code > 0}
     * @param reusePort set {@code SO_REUSEPORT} (throws {@link UnsupportedOperationException} where
     *                  the OS lacks it)
     */
    public static TcpListener bind(InetSocketAddress local, Backend backend, int backlog, boolean reusePort)
            throws IOException {
        Objects.requireNonNull(backend, "backend");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
        }
        return new TcpListener(Sockets.factory(backend).listen(Sockets.resolved(local), backlog, reusePort), backend);
    }

    /** Accepts one pending connection, or returns {@code null} if none is pending (would block). */
    @Override
    public TcpStream accept() throws IOException {
        StreamImpl s = impl.accept();
        return s == null ? null : new TcpStream(s, backend());
    }

    /** The bound address, with the actual port when bound to port 0. */
    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * {@code IP_TTL} of accepted connections' packets (inherited by accepted sockets).
     *
     * @throws UnsupportedOperationException on the nio backend
     */
    public void setTtl(int ttl) throws IOException {
        impl.setOption(Options.IP_TTL, Sockets.ttl(ttl));
    }

    /** @throws UnsupportedOperationException on the nio backend */
    public int ttl() throws IOException {
        return impl.getOption(Options.IP_TTL);
    }

    @Override
    InetSocketAddress shownAddress() {
        return localAddress;
    }
}
