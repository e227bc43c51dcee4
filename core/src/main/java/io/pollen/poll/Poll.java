package io.pollen.poll;

import io.pollen.poll.spi.Selector;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event queue: waits for readiness on registered {@link Source}s and reports it as
 * {@link Event}s. Pollen's equivalent of mio's {@code Poll}.
 *
 * {@snippet class=io.pollen.snippets.PollSnippetsTest region=poll}
 *
 * <h2>Threads</h2>
 * One thread polls at a time (a second concurrent {@code poll} throws
 * {@link IllegalStateException}). The {@link Registry} and {@link Waker} are thread-safe.
 * {@link #close()} may be called from any thread: a poll blocked in another thread returns promptly
 * with no events (the chapter's {@code close_loop}), and every later call throws
 * {@link PollClosedException}. The backend's native resources are released exactly once, by
 * whichever thread finishes last.
 *
 * <h2>Timeouts and signals</h2>
 * A timeout is rounded up to the backend's clock resolution, never down: a 1 µs timeout on a
 * millisecond clock waits 1 ms rather than spinning. {@code poll} may return before the timeout
 * with no events (EINTR, a wake-up without a {@link Waker}): callers loop.
 *
 * <h2>Not guaranteed</h2>
 * The order of events within one poll; that one readiness change gives exactly one event (a source
 * may be reported twice, or once with combined flags, or spuriously); that an event still holds
 * when it is handled (the source may have been drained or closed meanwhile); fairness between
 * sources when more are ready than {@link Events} can hold (the rest come in later polls).
 */
public final class Poll implements AutoCloseable {
    // state: bit 0 closed, bit 1 polling, the rest (in units of 4) the number of calls in flight.
    private static final int CLOSED = 1;
    private static final int POLLING = 2;
    private static final int ONE = 4;
    private static final VarHandle WAKE_PENDING;

    static {
        try {
            WAKE_PENDING = MethodHandles.lookup().findVarHandle(Poll.class, "wakePending", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Backend backend;
    private final Selector selector;
    private final Registry registry;
    private final AtomicInteger state = new AtomicInteger();
    private volatile boolean wakePending;   // see wake(); cleared by the poller after each select
    private volatile boolean hasWaker;

    private Poll(Backend backend, Selector selector) {
        this.backend = backend;
        this.selector = selector;
        this.registry = new Registry(this, selector);
    }

    /** A Poll over a selector opened elsewhere (a loop-owned driver's registration side). */
    static Poll over(Backend backend, Selector selector) {
        return new Poll(backend, selector);
    }

    /** Opens a Poll on {@link Backend#select()}: the property {@code pollen.backend} or the OS's best. */
    public static Poll open() throws IOException {
        return open(Backend.select());
    }

    /** Opens a Poll on the given backend. */
    public static Poll open(Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        return new Poll(backend, backend.openSelector());
    }

    public Backend backend() {
        return backend;
    }

    /** The registry for this Poll; shareable across threads. */
    public Registry registry() {
        return registry;
    }

    /**
     * Waits for events and fills {@code events} with them (clearing what it held).
     *
     * @param timeout how long to wait at most; {@code null} waits until an event or a wake-up
     * @return the number of events: {@code 0} after the timeout, and also early after a signal
     *         (EINTR is not retried, so that an interrupted loop gets control back), a wake-up with
     *         no {@link Waker} to report it, or a concurrent {@link #close()}
     */
    public int poll(Events events, Duration timeout) throws IOException {
        return pollNanos(events, timeout == null ? -1 : toNanos(timeout));
    }

    /** As {@link #poll(Events, Duration)}, with a timeout in {@code unit}; negative waits forever. */
    public int poll(Events events, long timeout, TimeUnit unit) throws IOException {
        return pollNanos(events, timeout < 0 ? -1 : unit.toNanos(timeout));
    }

    /**
     * As {@link #poll(Events, Duration)} with the timeout in nanoseconds: negative waits forever,
     * zero returns at once. Allocates nothing.
     */
    public int pollNanos(Events events, long timeoutNanos) throws IOException {
        Objects.requireNonNull(events, "events");
        beginPoll();
        int n = 0;
        try {
            n = selector.select(events.tokens, events.flags, timeoutNanos);
            // Wakes issued from here on write again; see Waker for why this order is safe.
            if (wakePending) {
                wakePending = false;
            }
        } finally {
            events.size = n;
            if (endPoll()) {
                events.size = 0;
                n = 0;
            }
        }
        return n;
    }

    /**
     * Closes the Poll: wakes a thread blocked in {@link #poll} and releases the backend once nothing
     * uses it. Idempotent. Sources stay open; they belong to their owners.
     */
    @Override
    public void close() throws IOException {
        int s;
        int next;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            // While a poll is in flight, close holds a reference of its own for the wake-up: the
            // poll may end (and would release the backend) before the wake-up is sent.
            next = (s & POLLING) != 0 ? (s | CLOSED) + ONE : s | CLOSED;
        } while (!state.compareAndSet(s, next));
        if (s == 0) {
            selector.close();
        } else if ((s & POLLING) != 0) {
            try {
                selector.wakeup();
            } finally {
                release();
            }
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    @Override
    public String toString() {
        return "Poll{" + backend.id() + (isClosed() ? ", closed}" : "}");
    }

    // ---- used by Registry and Waker ----

    void acquire(String what) {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw new PollClosedException(what);
            }
        } while (!state.compareAndSet(s, s + ONE));
    }

    void release() {
        if (state.addAndGet(-ONE) == CLOSED) {
            closeSelectorQuietly();
        }
    }

    void installWaker(long token) {
        acquire("new Waker");
        try {
            synchronized (this) {
                if (hasWaker) {
                    throw new IllegalStateException("this Poll already has a Waker (one per Poll, as in mio)");
                }
                hasWaker = true;
                selector.wakerToken(token);
            }
        } finally {
            release();
        }
    }

    void removeWaker() {
        synchronized (this) {
            if (hasWaker && !isClosed()) {
                selector.wakerToken(-1);
            }
            hasWaker = false;
        }
    }

    /** The backend's selector, for the runtime's {@link SelectorDriver}. */
    Selector selector() {
        return selector;
    }

    /**
     * An uncoalesced wake-up for {@link SelectorDriver}, whose loop coalesces wake-ups itself. A
     * no-op once closed; holds a reference meanwhile, so the selector is not released under it.
     */
    void wakeNow() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s + ONE));
        try {
            selector.wakeup();
        } catch (IOException | RuntimeException e) {
            // Nobody to tell from a wake-up; a failed write leaves the loop to its timeout.
        } finally {
            release();
        }
    }

    /** Coalesced wake-up: only the first wake after a poll returned reaches the kernel. */
    void wake() throws IOException {
        if (wakePending) {
            // The pending wake-up covers this one, but a closed Poll must still say so.
            if (isClosed()) {
                throw new PollClosedException("Waker.wake");
            }
            return;
        }
        acquire("Waker.wake");
        try {
            // Of wakes racing here, one wins the flag and makes the system call.
            if (WAKE_PENDING.compareAndSet(this, false, true)) {
                try {
                    selector.wakeup();
                } catch (IOException | RuntimeException e) {
                    wakePending = false; // nothing was sent: let the next wake try again
                    throw e;
                }
            }
        } finally {
            release();
        }
    }

    private void beginPoll() {
        int s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw new PollClosedException("poll");
            }
            if ((s & POLLING) != 0) {
                throw new IllegalStateException("another thread is already polling this Poll");
            }
        } while (!state.compareAndSet(s, (s | POLLING) + ONE));
    }

    /** Ends a poll; true if the Poll was closed meanwhile (and so the events are void). */
    private boolean endPoll() {
        int s = state.addAndGet(-(POLLING + ONE));
        if (s == CLOSED) {
            closeSelectorQuietly();
        }
        return (s & CLOSED) != 0;
    }

    private void closeSelectorQuietly() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing releases kernel objects; there is nothing a caller could do about a failure.
        }
    }

    private static long toNanos(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return -1;
        }
    }
}
