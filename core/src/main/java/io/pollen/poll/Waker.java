package io.pollen.poll;

import java.io.IOException;

/**
 * Wakes a thread blocked in {@link Poll#poll} from any other thread: that poll (or the next one)
 * returns an event with this waker's token, readable. The Reactor's way to tell its loop "there is
 * new work" (a task scheduled from elsewhere, a shutdown).
 *
 * <p>One Waker per Poll (mio's rule); a second throws {@link IllegalStateException} until the
 * first is {@linkplain #close() closed}. Wakes coalesce: many {@link #wake()} calls before the
 * poll returns yield one event, and only the first of them makes a system call (eventfd with
 * {@code EPOLLET}, so nothing is ever read back; {@code Selector.wakeup()} on nio).
 *
 * <p>Why coalescing loses nothing: the Poll clears its "wake pending" flag after the kernel
 * returns and before the poller looks at its queues. A wake that saw the flag set happened before
 * that clear, so the work it announces is visible to the poller that is about to look.
 */
public final class Waker implements AutoCloseable {
    private final Poll poll;
    private volatile boolean closed;

    /** Creates the waker of {@code registry}'s Poll, reporting {@code token}. */
    public Waker(Registry registry, Token token) {
        this.poll = registry.poll();
        poll.installWaker(token.value());
    }

    /**
     * Wakes the poller. Thread-safe, cheap when a wake is already pending.
     *
     * @throws PollClosedException if the Poll is closed
     */
    public void wake() throws IOException {
        if (closed) {
            throw new IllegalStateException("this Waker is closed");
        }
        poll.wake();
    }

    /** Detaches this waker from its Poll, so that a new one may be made. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            poll.removeWaker();
        }
    }
}
