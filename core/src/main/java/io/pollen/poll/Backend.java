package io.pollen.poll;

import io.pollen.poll.spi.Selector;

import java.io.IOException;
import java.util.Locale;

/**
 * The OS event queues Pollen can drive.
 *
 * <p>{@link #select()} picks one: the {@code pollen.backend} system property
 * ({@code -Dpollen.backend=epoll|kqueue|nio|io_uring}) if set, otherwise the best available for the
 * OS (epoll on Linux, kqueue on macOS and the BSDs, nio elsewhere; io_uring is only used when asked
 * for). Sockets opened by
 * {@code io.pollen.net} are native file descriptors on the native backends and java.nio channels
 * on {@link #NIO}; a socket can only register with a Poll of its own kind.
 *
 * <table>
 *   <caption>What each backend reports</caption>
 *   <tr><th></th><th>EPOLL</th><th>NIO</th><th>IO_URING</th></tr>
 *   <tr><td>readable / writable</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>error</td><td>yes ({@code EPOLLERR})</td><td>only for a failed connect (error + read/write-closed,
 *       as epoll reports it); otherwise no: shows as the armed readiness, the next I/O fails</td>
 *       <td>yes ({@code POLLERR}; also an fd that is not open)</td></tr>
 *   <tr><td>read-closed / write-closed</td><td>yes ({@code EPOLLRDHUP}, {@code EPOLLHUP})</td><td>no (java.nio
 *       has no such readiness): a read returns end of stream</td><td>yes (same bits)</td></tr>
 *   <tr><td>priority</td><td>yes ({@code EPOLLPRI})</td><td>no</td><td>yes</td></tr>
 *   <tr><td>edge triggering</td><td>kernel ({@code EPOLLET})</td><td>emulated: re-armed on "would block" or a short read</td>
 *       <td>kernel (multishot {@code POLL_ADD}, re-armed when the kernel ends it); the readiness a
 *       wake-up carried is reported as is, so more spurious events than epoll</td></tr>
 *   <tr><td>timeout resolution</td><td>1 ns ({@code epoll_pwait2}) or 1 ms</td><td>1 ms</td><td>1 ns</td></tr>
 *   <tr><td>connect completion</td><td>kernel</td><td>finished by the backend when {@code OP_CONNECT}
 *       fires: writable per interest, no readable event, no call needed from the owner</td><td>kernel</td></tr>
 *   <tr><td>peek</td><td>{@code MSG_PEEK}</td><td>emulated with a buffer; re-arms like a read</td><td>{@code MSG_PEEK}</td></tr>
 *   <tr><td>UDP re-connect, unconnected receive</td><td>yes</td><td>yes (disconnect + connect; {@code receive}
 *       without the sender)</td><td>yes</td></tr>
 *   <tr><td>a source in two Polls</td><td>refused</td><td>refused (Pollen's sockets; raw
 *       {@code SourceFd}/{@code SourceChannel} are not tracked, as in mio)</td><td>refused</td></tr>
 *   <tr><td>deregistration</td><td>{@code EPOLL_CTL_DEL}</td><td>soft: the JDK keeps the channel in its
 *       selector until a select flushes a cancelled key, so a deregistered channel stays attached (and
 *       cannot go back to blocking mode) until it or the Poll closes</td><td>{@code POLL_REMOVE}; off the
 *       polling thread the poll's file reference goes when the poller next runs</td></tr>
 *   <tr><td>closing a registered fd</td><td>deregisters it</td><td>deregisters it</td>
 *       <td>does not: deregister first ({@link #closeDeregisters()})</td></tr>
 *   <tr><td>socket error after connect ({@code takeError})</td><td>{@code SO_ERROR}</td><td>always null: java.nio
 *       exposes no {@code SO_ERROR}; the next read or write throws instead</td><td>{@code SO_ERROR}</td></tr>
 * </table>
 */
public enum Backend {
    /** Linux epoll through FFM. */
    EPOLL("epoll"),
    /** macOS / BSD kqueue through FFM (not yet implemented). */
    KQUEUE("kqueue"),
    /** java.nio {@code Selector}: runs wherever the JDK runs. */
    NIO("nio"),
    /**
     * Linux io_uring through FFM (5.13 or later; see {@link #unavailableReason()} where it cannot
     * run): readiness through multishot {@code POLL_ADD}, on the same fd sockets as epoll. Never
     * chosen automatically.
     */
    IO_URING("io_uring");

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
     * Whether closing a source's file descriptor (or channel) also ends its registration. True for
     * epoll (the last close takes the fd off the interest list) and nio (closing cancels the key);
     * false for io_uring, whose pending poll keeps a reference to the file: there the socket stays
     * open until it is deregistered, so owners deregister before closing.
     */
    public boolean closeDeregisters() {
        return this != IO_URING;
    }

    /** The backend a plain {@link Poll#open()} uses; see the class docs. */
    public static Backend select() {
        String forced = System.getProperty("pollen.backend");
        if (forced != null && !forced.isBlank()) {
            Backend b = byName(forced);
            if (!b.isAvailable()) {
                throw new IllegalStateException("-Dpollen.backend=" + forced + " is not available on "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + b.unavailableReason());
            }
            return b;
        }
        return platformDefault();
    }

    /** The best backend for this OS, ignoring the system property. */
    public static Backend platformDefault() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux") && EPOLL.isAvailable()) {
            return EPOLL;
        }
        if ((os.contains("mac") || os.contains("bsd")) && KQUEUE.isAvailable()) {
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
