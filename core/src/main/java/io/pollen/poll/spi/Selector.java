package io.pollen.poll.spi;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * The backend SPI: one implementation per OS event queue (epoll, kqueue, java.nio). Internal; the
 * public face is {@code io.pollen.poll.Poll}, which serialises close against polling and
 * registration, so implementations need no lifecycle checks of their own.
 *
 * <h2>The platform contract (every backend keeps it)</h2>
 * <ul>
 *   <li><b>Edge-triggered.</b> A readiness is reported once per change; the owner drains the source
 *       until it would block. Spurious reports are allowed, lost ones are not: if a source became
 *       ready after it last returned "would block", a later {@link #select} reports it.</li>
 *   <li><b>Tokens.</b> {@link #select} writes the token given at (re)registration. After
 *       {@link #deregister} returns, later selects never report that registration again.</li>
 *   <li><b>Misuse.</b> Registering a registered source, or re(de)registering an unregistered one,
 *       throws {@link IllegalStateException} naming the mistake (epoll's EEXIST/ENOENT mapped).</li>
 *   <li><b>Kinds.</b> Native backends take file descriptors; the nio backend takes
 *       {@link SelectableChannel}s. The other kind throws {@link IllegalArgumentException}
 *       explaining which backend the source was opened for.</li>
 *   <li><b>Wake-up.</b> {@link #wakeup()} may be called from any thread, any number of times; it
 *       makes a blocked (or the next) select return. If a waker token is set, that select reports
 *       one event with that token, readable; otherwise the wake-up is reported as nothing.</li>
 *   <li><b>Timeouts.</b> {@code timeoutNanos < 0} blocks until an event; {@code 0} returns at once;
 *       otherwise waits at least that long, rounded <i>up</i> to the clock's resolution, never
 *       down to a busy spin. EINTR returns 0 events early (an allowed spurious return).</li>
 * </ul>
 */
public interface Selector {

    /** The backend's name, e.g. {@code "epoll"}. */
    String name();

    void register(int fd, long token, int interest) throws IOException;

    void reregister(int fd, long token, int interest) throws IOException;

    void deregister(int fd) throws IOException;

    void register(SelectableChannel channel, long token, int interest) throws IOException;

    void reregister(SelectableChannel channel, long token, int interest) throws IOException;

    void deregister(SelectableChannel channel) throws IOException;

    /**
     * The owner of {@code channel} saw "would block" for {@code interest}: watch for it again. Only
     * the nio backend emulates edge triggering this way; native backends ignore it.
     */
    default void rearm(SelectableChannel channel, int interest) {
    }

    /**
     * The failure of a connect that this backend finished itself (the nio backend calls
     * {@code finishConnect} when {@code OP_CONNECT} fires, and the JDK then closes the channel), or
     * null; taking it forgets it. Native backends leave the error in the socket ({@code SO_ERROR}).
     */
    default IOException takeConnectError(SelectableChannel channel) {
        return null;
    }

    /**
     * Waits for readiness and writes up to {@code tokens.length} events into {@code tokens} and
     * {@code flags} ({@link Ready} bits). Returns how many. Allocates nothing in steady state.
     */
    int select(long[] tokens, int[] flags, long timeoutNanos) throws IOException;

    /** Sets the token reported for wake-ups ({@code io.pollen.poll.Waker}); negative for none. */
    void wakerToken(long token);

    /** Makes a blocked or the next {@link #select} return; any thread; coalescing is the caller's. */
    void wakeup() throws IOException;

    /** Releases the backend's native resources. Called exactly once, never during a select. */
    void close() throws IOException;
}
