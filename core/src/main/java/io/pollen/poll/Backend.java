package io.pollen.poll;

import io.pollen.poll.spi.Selector;

import java.io.IOException;
import java.util.Locale;

/**
 * The OS event queues Pollen can drive.
 *
 * <p>{@link #select()} picks one: the {@code pollen.backend} system property
 * ({@code -Dpollen.backend=epoll|kqueue|nio|io_uring}) if set, otherwise the best available for the
 * OS (epoll on Linux, kqueue on macOS and FreeBSD, nio elsewhere or when neither loads; io_uring is
 * only used when asked for). Sockets opened by
 * {@code io.pollen.net} are native file descriptors on the native backends and java.nio channels
 * on {@link #NIO}; a socket can only register with a Poll of its own kind.
 *
 * <table>
 *   <caption>What each backend reports</caption>
 *   <tr><th></th><th>EPOLL</th><th>KQUEUE</th><th>NIO</th></tr>
 *   <tr><td>readable / writable</td><td>yes</td><td>yes ({@code EVFILT_READ}, {@code EVFILT_WRITE})</td><td>yes</td></tr>
 *   <tr><td>error</td><td>yes ({@code EPOLLERR})</td><td>yes ({@code EV_ERROR}, {@code EV_EOF} with {@code fflags})</td>
 *       <td>only for a failed connect (error + read/write-closed, as epoll reports it); otherwise no: shows as
 *       the armed readiness, the next I/O fails</td></tr>
 *   <tr><td>read-closed / write-closed</td><td>yes ({@code EPOLLRDHUP}, {@code EPOLLHUP})</td><td>yes ({@code EV_EOF}
 *       per filter)</td><td>no (java.nio has no such readiness): a read returns end of stream</td></tr>
 *   <tr><td>priority</td><td>yes ({@code EPOLLPRI})</td><td>no (no kqueue filter; ignored, as in mio)</td><td>no</td></tr>
 *   <tr><td>edge triggering</td><td>kernel ({@code EPOLLET})</td><td>kernel ({@code EV_CLEAR})</td><td>emulated:
 *       re-armed on "would block" or a short read</td></tr>
 *   <tr><td>timeout resolution</td><td>1 ns ({@code epoll_pwait2}) or 1 ms</td><td>1 ns ({@code struct timespec})</td>
 *       <td>1 ms</td></tr>
 *   <tr><td>connect completion</td><td>kernel</td><td>kernel</td><td>finished by the backend when {@code OP_CONNECT}
 *       fires: writable per interest, no readable event, no call needed from the owner</td></tr>
 *   <tr><td>peek</td><td>{@code MSG_PEEK}</td><td>{@code MSG_PEEK}</td><td>emulated with a buffer; re-arms like a
 *       read</td></tr>
 *   <tr><td>UDP re-connect, unconnected receive</td><td>yes</td><td>yes</td><td>yes (disconnect + connect;
 *       {@code receive} without the sender)</td></tr>
 *   <tr><td>a source in two Polls</td><td>refused</td><td>refused</td><td>refused (Pollen's sockets; raw
 *       {@code SourceFd}/{@code SourceChannel} are not tracked, as in mio)</td></tr>
 *   <tr><td>deregistration</td><td>{@code EPOLL_CTL_DEL}</td><td>{@code EV_DELETE} of both filters</td><td>soft:
 *       the JDK keeps the channel in its selector until a select flushes a cancelled key, so a deregistered
 *       channel stays attached (and cannot go back to blocking mode) until it or the Poll closes</td></tr>
 *   <tr><td>socket error after connect ({@code takeError})</td><td>{@code SO_ERROR}</td><td>{@code SO_ERROR}
 *       (on libkqueue, the error it consumed to report the event)</td><td>always null: java.nio exposes no
 *       {@code SO_ERROR}; the next read or write throws instead</td></tr>
 *   <tr><td>Unix streams and listeners on socket files</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>Unix datagrams ({@code UnixDatagram})</td><td>yes</td><td>yes</td><td>no: java.nio has no Unix datagram
 *       channel ({@link UnsupportedOperationException})</td></tr>
 *   <tr><td>Linux abstract socket names</td><td>yes</td><td>Linux only (libkqueue)</td><td>no ({@link UnsupportedOperationException})</td></tr>
 *   <tr><td>{@code UnixStream.pair} ({@code socketpair})</td><td>yes</td><td>yes</td><td>no ({@link UnsupportedOperationException})</td></tr>
 *   <tr><td>Unix peer credentials</td><td>yes ({@code SO_PEERCRED})</td><td>yes ({@code getpeereid}; the pid from
 *       {@code LOCAL_PEERPID} on macOS, -1 on FreeBSD; {@code SO_PEERCRED} under libkqueue)</td><td>no ({@link UnsupportedOperationException})</td></tr>
 *   <tr><td>{@code Pipe}</td><td>{@code pipe2}</td><td>{@code pipe2} (FreeBSD, libkqueue), {@code pipe} + {@code fcntl} (macOS)</td><td>{@link java.nio.channels.Pipe}</td></tr>
 *   <tr><td>a raw fd, {@code stdin}, a {@code FileDescriptor} ({@link SourceFd})</td><td>yes</td><td>yes</td>
 *       <td>no: java.nio cannot watch a raw fd ({@link IllegalArgumentException})</td></tr>
 * </table>
 *
 * <p>{@link #IO_URING} reports as {@link #EPOLL} does (the same bits, {@code MSG_PEEK}, {@code SO_ERROR},
 * connect completion by the kernel, 1 ns timeouts through {@code IORING_ENTER_EXT_ARG}), except: edge
 * triggering is a multishot {@code POLL_ADD} re-armed when the kernel ends it, and the readiness a
 * wake-up carried is reported as is, so spurious events are more frequent; deregistration is
 * {@code POLL_REMOVE} ({@code ASYNC_CANCEL} of the recv or accept for an event loop's TCP sockets,
 * whose I/O the loop's driver performs as completions); closing a registered fd does not end its registration (the poll holds the
 * file: deregister first, see {@link #closeDeregisters()}); an fd that is not open gives one error event.
 *
 * <p>{@link #KQUEUE} is available on macOS and FreeBSD (64-bit), and anywhere a kqueue library is
 * named with {@code -Dpollen.kqueue.library=PATH} (e.g. libkqueue on Linux; see
 * {@code io.pollen.sys.bsd.KQueue}).
 */
public enum Backend {
    /** Linux epoll through FFM. */
    EPOLL("epoll"),
    /** macOS / FreeBSD kqueue through FFM (or a libkqueue named by {@code -Dpollen.kqueue.library}). */
    KQUEUE("kqueue"),
    /** java.nio {@code Selector}: runs wherever the JDK runs. */
    NIO("nio"),
    /**
     * Linux io_uring through FFM (5.13 or later; see {@link #unavailableReason()} where it cannot
     * run), on the same fd sockets as epoll. A {@code Poll} gets readiness through multishot
     * {@code POLL_ADD}; the runtime's event loops also do TCP I/O as completions (multishot recv
     * into a provided-buffer ring, sends from native buffers, multishot accept; Linux 5.19 or
     * later, else readiness). Never chosen automatically.
     */
    IO_URING("io_uring");

    static {
        // The runtime opens its drivers through the SPI; the readiness driver lives in this package,
        // and sockets outside it reach a registry's selector through RegistryAccess.
        io.pollen.poll.spi.Drivers.install(Backends::openDriver);
        io.pollen.poll.spi.RegistryAccess.install(Registry::selector);
    }

    private final String id;

    Backend(String id) {
        this.id = id;
    }

    /** The name used by {@code -Dpollen.backend}. */
    public String id() {
        return id;
    }

    /** Whether sockets for this backend are raw file descriptors (true) or java.nio channels. */
    public boolean nativeSockets() {
        return this != NIO;
    }

    /** Whether this backend can run on this machine. */
    public boolean isAvailable() {
        return Backends.available(this);
    }

    /**
     * Why this backend cannot run on this machine (e.g. io_uring: {@code kernel.io_uring_disabled},
     * a seccomp filter, an old kernel), or {@code null} when it {@linkplain #isAvailable() can}.
     */
    public String unavailableReason() {
        return Backends.unavailableReason(this);
    }

    /**
     * Whether closing a source's file descriptor (or channel) also ends its registration on this
     * backend. True for epoll (the last close takes the fd off the interest list) and nio (closing
     * cancels the key). False for io_uring, whose pending poll keeps a reference to the file (the
     * socket stays open until it is deregistered), and for kqueue, whose selector keeps its own set of
     * registered fds (to report misuse, which {@code EV_ADD} would not) and where libkqueue cannot see
     * a close. Where it is false, owners deregister before closing, as the runtime's
     * {@code Registration.release()} does.
     */
    public boolean closeDeregisters() {
        return this != IO_URING && this != KQUEUE;
    }

    /** The backend a plain {@link Poll#open()} uses; see the class docs. */
    public static Backend select() {
        String forced = System.getProperty("pollen.backend");
        if (forced != null && !forced.isBlank()) {
            Backend b = byName(forced);
            if (!b.isAvailable()) {
                throw new IllegalStateException("-Dpollen.backend=" + forced + " is not available " + Backends.where(b));
            }
            return b;
        }
        return platformDefault();
    }

    /**
     * The best backend for this OS, ignoring the system property: epoll on Linux; kqueue on macOS
     * and FreeBSD (their fd sockets speak the OS's own socket ABI: {@code io.pollen.sys.unix.SocketAbi});
     * nio when neither is available (an old or filtered kernel, a kqueue that cannot load) and on
     * every other OS.
     */
    public static Backend platformDefault() {
        String os = System.getProperty("os.name", "");
        return platformDefault(os, EPOLL.isAvailable(), KQUEUE.isAvailable());
    }

    /** {@link #platformDefault()} for {@code osName}, given which native backends could run. */
    static Backend platformDefault(String osName, boolean epoll, boolean kqueue) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("linux") && epoll) {
            return EPOLL;
        }
        if ((os.contains("mac") || os.contains("darwin") || os.contains("freebsd")) && kqueue
                && Backends.fdSocketsSpeak(osName)) {
            return KQUEUE;
        }
        return NIO;
    }

    /** Parses {@code epoll}, {@code kqueue}, {@code nio} or {@code io_uring} (any case). */
    public static Backend byName(String name) {
        for (Backend b : values()) {
            if (b.id.equalsIgnoreCase(name.trim())) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "': expected epoll, kqueue, nio or io_uring");
    }

    Selector openSelector() throws IOException {
        return Backends.open(this);
    }
}
