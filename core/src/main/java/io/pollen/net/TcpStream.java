package io.pollen.net;

import io.pollen.net.spi.Options;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A non-blocking TCP connection that registers with a {@link io.pollen.poll.Poll}; mio's
 * {@code TcpStream}. Made by {@link #connect} or {@link TcpListener#accept()}.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Nothing blocks. {@link #read(ByteBuffer) read(ByteBuffer)} returns the bytes read,
 *       {@code -1} at end of stream (the peer shut down its writing side) and {@code 0} when it
 *       would block; {@link #write(ByteBuffer) write(ByteBuffer)} returns the bytes written,
 *       {@code 0} when it would block. "Would block" is the signal to wait for the next readable /
 *       writable event.</li>
 *   <li>Readiness is edge-triggered: after an event, read (or write) until it would block before
 *       waiting again. An event is a hint; spurious ones happen and are harmless.</li>
 *   <li>A <em>short read</em> (fewer bytes than {@code dst} had room for) also ends the round: the
 *       receive queue ran dry, and bytes that arrive later raise a new readable event on every
 *       backend (epoll reports each arrival; nio re-arms on a short read as on "would block"). This
 *       saves the extra {@code read} that would only say "would block", one system call per
 *       message in request/response protocols. The exception: when the event said
 *       {@code READ_CLOSED} or {@code ERROR}, read on until {@code -1} or the error, because an end
 *       of stream that came with the last bytes raises no new event.</li>
 *   <li>{@link #connect} only starts the connection. It completes, or fails, when the stream turns
 *       writable (a failure also shows as an error event, even to a readable-only registration);
 *       then {@link #takeError() takeError()} says which (e.g. connection refused), and {@link #peerAddress()}
 *       works. As in mio, a successful connect raises no readable event, and after it every
 *       readiness is reported with no call needed from the owner, on every backend (the nio
 *       backend finishes the connect itself).</li>
 *   <li>Errors are {@link IOException}s. On the native backends they are
 *       {@code NativeIOException}s naming the call and errno ({@code ECONNRESET}, ...).</li>
 *   <li>IPv4 and IPv6: the socket's family follows the address given. Addresses must be resolved;
 *       an unresolved one is refused with {@link IllegalArgumentException} (no hidden DNS).</li>
 *   <li>Not thread-safe: one thread does the I/O at a time (the Poll's registry is thread-safe).</li>
 * </ul>
 *
 * <h2>Differences between backends</h2>
 * <table>
 *   <caption>What changes with the socket flavor</caption>
 *   <tr><th></th><th>EPOLL (native fd)</th><th>NIO (java.nio channel)</th></tr>
 *   <tr><td>refused connect</td><td>error + read/write-closed event (+ the registered
 *       readable/writable); {@code takeError} gives {@code ECONNREFUSED}; the socket stays open
 *       until closed</td>
 *       <td>the same event; {@code takeError} gives a {@link java.net.ConnectException}; the JDK
 *       closes the channel, so later I/O throws {@code ClosedChannelException}</td></tr>
 *   <tr><td>peer reset</td><td>error / read-closed event; read throws {@code ECONNRESET}</td>
 *       <td>readable event; read throws {@link java.net.SocketException}</td></tr>
 *   <tr><td>peer shutdown</td><td>readable + read-closed event</td><td>readable event</td></tr>
 *   <tr><td>{@link #peek(ByteBuffer) peek(ByteBuffer)}</td><td>{@code MSG_PEEK}</td>
 *       <td>emulated with a buffer in the stream; like a read, it re-arms, so the next bytes raise a readable event</td></tr>
 *   <tr><td>{@link #setTtl}</td><td>{@code IP_TTL} / {@code IPV6_UNICAST_HOPS}</td>
 *       <td>{@link UnsupportedOperationException}</td></tr>
 *   <tr><td>{@link #takeError() takeError()} on an established stream</td><td>{@code SO_ERROR}</td>
 *       <td>always {@code null}: java.nio only reports connect failures</td></tr>
 * </table>
 *
 * <p><b>Not guaranteed:</b> how many bytes one read or write moves (short reads and writes are
 * normal); that a write which returned is delivered (only that it was buffered); that an event
 * arrives between a would-block and the next readiness if the source was not re-registered after a
 * deregister.
 */
public final class TcpStream extends NetStream implements StreamSocket {
    TcpStream(StreamImpl impl, Backend backend) {
        super("TcpStream", impl, backend);
    }

    /** Starts connecting to {@code remote} with sockets for {@link Backend#select()}. */
    public static TcpStream connect(InetSocketAddress remote) throws IOException {
        return connect(remote, Backend.select());
    }

    /**
     * Starts a non-blocking connect to {@code remote}; the stream registers with Polls of
     * {@code backend}. Register it for {@link Interest#WRITABLE}; when it turns writable,
     * {@link #takeError() takeError()} (or {@link #peerAddress()}) says whether it connected.
     */
    public static TcpStream connect(InetSocketAddress remote, Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        return new TcpStream(Sockets.factory(backend).connect(Sockets.resolved(remote)), backend);
    }

    /**
     * As {@link #connect(InetSocketAddress, Backend)}, except that the connect may start only when
     * the stream is registered: a completion driver (an io_uring event loop's) then performs it as
     * its own operation ({@code IORING_OP_CONNECT}). Register the stream at once; it reports the
     * outcome as {@link #connect} does (writable, then {@link #takeError() takeError()} / {@link #peerAddress()}).
     */
    public static TcpStream connectOnRegister(InetSocketAddress remote, Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        return new TcpStream(Sockets.factory(backend).connectOnRegister(Sockets.resolved(remote)), backend);
    }

    // ---- addresses (I/O is inherited from NetStream) ----

    /** The local address (bound by the connect or the accept). */
    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) impl.localAddress();
    }

    /**
     * The peer's address.
     *
     * @throws java.nio.channels.NotYetConnectedException while the connect is in progress
     * @throws IOException if the connect failed
     */
    @Override
    public InetSocketAddress peerAddress() throws IOException {
        return (InetSocketAddress) impl.peerAddress();
    }

    // ---- options (the buffer sizes are inherited from BufferSizedSocket) ----

    /** {@code TCP_NODELAY}: send small segments at once instead of coalescing them (Nagle). */
    public void setNoDelay(boolean on) throws IOException {
        impl.setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    /** Whether {@code TCP_NODELAY} is on. */
    public boolean noDelay() throws IOException {
        return impl.getOption(StandardSocketOptions.TCP_NODELAY);
    }

    /** {@code SO_KEEPALIVE}: probe an idle connection (timings are the OS's). */
    public void setKeepAlive(boolean on) throws IOException {
        impl.setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    /** Whether {@code SO_KEEPALIVE} is on. */
    public boolean keepAlive() throws IOException {
        return impl.getOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    /**
     * {@code SO_LINGER}, in whole seconds (rounded up). {@code null} turns it off (close returns at
     * once, the OS sends buffered data); {@link Duration#ZERO} makes close reset the connection
     * (RST). A non-zero linger on a non-blocking socket makes close wait on some platforms; avoid it.
     */
    public void setLinger(Duration linger) throws IOException {
        int seconds = -1;
        if (linger != null) {
            if (linger.isNegative()) {
                throw new IllegalArgumentException("negative linger: " + linger);
            }
            seconds = (int) Math.min(Integer.MAX_VALUE, linger.toSeconds() + (linger.toNanosPart() > 0 ? 1 : 0));
        }
        impl.setOption(StandardSocketOptions.SO_LINGER, seconds);
    }

    /** The linger time, or {@code null} when it is off. */
    public Duration linger() throws IOException {
        int seconds = impl.getOption(StandardSocketOptions.SO_LINGER);
        return seconds < 0 ? null : Duration.ofSeconds(seconds);
    }

    /**
     * {@code IP_TTL} (IPv6: unicast hops) of outgoing packets.
     *
     * @throws UnsupportedOperationException on the nio backend, which has no such option
     */
    public void setTtl(int ttl) throws IOException {
        impl.setOption(Options.IP_TTL, Sockets.ttl(ttl));
    }

    /** @throws UnsupportedOperationException on the nio backend */
    public int ttl() throws IOException {
        return impl.getOption(Options.IP_TTL);
    }
}
