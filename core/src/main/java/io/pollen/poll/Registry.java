package io.pollen.poll;

import io.pollen.poll.spi.Selector;

import java.io.IOException;
import java.util.Objects;

/**
 * Registers {@link Source}s with a {@link Poll}. Thread-safe: any thread may register, reregister
 * or deregister at any time, including while another thread is blocked in {@link Poll#poll}; a
 * registration made during a poll is seen by that poll or the next.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #reregister} replaces both the token and the interest.</li>
 *   <li>After {@link #deregister} returns, no later poll reports the old token for that source,
 *       even if data is pending; the source may be registered again.</li>
 *   <li>Registering a source twice, or re/deregistering one that is not registered, throws
 *       {@link IllegalStateException}; any call after {@link Poll#close()} throws
 *       {@link PollClosedException}.</li>
 *   <li>A source belongs to one Poll at a time, as in mio: registering one of Pollen's sockets
 *       ({@code TcpStream}, {@code TcpListener}, {@code UdpSocket}) while it is registered with
 *       another Poll that is still open throws {@link IllegalStateException}; deregister it there
 *       first. Raw {@link SourceFd}s and {@link SourceChannel}s carry no state and are not checked
 *       (mio does not check its {@code SourceFd} either).</li>
 * </ul>
 * <p>Not guaranteed: events a poll already returned are not retracted by a deregister that happens
 * while the owner iterates them; owners that deregister during dispatch skip stale tokens.
 */
public final class Registry {
    private final Poll poll;
    private final Selector selector;

    Registry(Poll poll, Selector selector) {
        this.poll = poll;
        this.selector = selector;
    }

    /** Starts watching {@code source} for {@code interest}; events carry {@code token}. */
    public void register(Source source, Token token, Interest interest) throws IOException {
        check(source, token, interest);
        poll.acquire("register");
        try {
            source.register(this, token, interest);
        } finally {
            poll.release();
        }
    }

    /** Replaces the token and the interest of a registered source. */
    public void reregister(Source source, Token token, Interest interest) throws IOException {
        check(source, token, interest);
        poll.acquire("reregister");
        try {
            source.reregister(this, token, interest);
        } finally {
            poll.release();
        }
    }

    /** Stops watching {@code source}. */
    public void deregister(Source source) throws IOException {
        Objects.requireNonNull(source, "source");
        poll.acquire("deregister");
        try {
            source.deregister(this);
        } finally {
            poll.release();
        }
    }

    /** Whether this registry's Poll is still open (false once {@link Poll#close()} was called). */
    public boolean isOpen() {
        return !poll.isClosed();
    }

    /** The backend this registry registers with. */
    public Backend backend() {
        return poll.backend();
    }

    Selector selector() {
        return selector;
    }

    Poll poll() {
        return poll;
    }

    private static void check(Source source, Token token, Interest interest) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(interest, "interest");
    }
}
