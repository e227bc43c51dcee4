package io.pollen.poll;

import io.pollen.poll.spi.Driver;
import io.pollen.poll.spi.PollDriver;
import io.pollen.poll.spi.Selector;

import java.io.IOException;

/**
 * The readiness {@link Driver} over any {@link Selector} (epoll, java.nio, and every later
 * readiness backend): a {@link Poll} for registration and lifecycle, and its selector polled
 * directly, without the Poll's per-poll bookkeeping (the loop that owns this driver already
 * serialises polling and closing).
 *
 * <p>Wake-ups go straight to the selector: the loop coalesces them with its own flag, so the
 * Poll's "wake pending" flag (which serves {@link Waker} users) stays out of the path. They still
 * hold a reference on the Poll while they write, so that a wake-up racing {@link #close} never
 * reaches a descriptor the kernel has handed out again.
 */
final class SelectorDriver implements PollDriver {
    /** The Poll whose Registry the sources register with, and whose close releases the selector. */
    private final Poll poll;
    /** The backend's selector, polled directly by {@link #run}. */
    private final Selector selector;
    /** Tokens of the last select; reused every run. */
    private final long[] tokens;
    /** Ready bits of the last select, parallel to {@link #tokens}; reused every run. */
    private final int[] flags;

    private SelectorDriver(Poll poll, int capacity) {
        this.poll = poll;
        this.selector = poll.selector();
        this.tokens = new long[capacity];
        this.flags = new int[capacity];
    }

    static Driver open(Backend backend, int capacity) throws IOException {
        return new SelectorDriver(Poll.open(backend), capacity);
    }

    @Override
    public Backend backend() {
        return poll.backend();
    }

    @Override
    public Poll poll() {
        return poll;
    }

    @Override
    public int run(long timeoutNanos, Dispatch dispatch) throws IOException {
        int n = selector.select(tokens, flags, timeoutNanos);
        dispatch.awake();
        for (int i = 0; i < n; i++) {
            dispatch.ready(tokens[i], flags[i]);
        }
        return n;
    }

    @Override
    public void wakeup() {
        poll.wakeNow();
    }

    @Override
    public void close() throws IOException {
        poll.close();
    }

    @Override
    public String toString() {
        return "SelectorDriver{" + poll.backend().id() + '}';
    }
}
