package io.pollen.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that only moves when told to: tests use it to fire timers deterministically.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=manual-ticker}
 *
 * <p>{@link #advance} wakes every loop that uses this ticker, so that a loop blocked in a poll
 * (whose timeout was computed from this ticker) re-reads it. Not guaranteed: that timers due at
 * the new time fire before {@code advance} returns; they fire in the loop's next iteration.
 */
public final class ManualTicker implements Ticker {
    private final AtomicLong now;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** A ticker reading 0. */
    public ManualTicker() {
        this(0);
    }

    /** A ticker reading {@code start} nanoseconds. */
    public ManualTicker(long start) {
        this.now = new AtomicLong(start);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves time forward by {@code d} and wakes the loops that use this ticker. */
    public void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    /** Moves time forward by {@code nanos} (not negative) and wakes the loops that use this ticker. */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not go backwards: " + nanos);
        }
        now.addAndGet(nanos);
        for (Runnable r : listeners) {
            r.run();
        }
    }

    /** Called by loops so that {@link #advance} wakes them. */
    void onAdvance(Runnable wake) {
        listeners.add(wake);
    }

    void removeListener(Runnable wake) {
        listeners.remove(wake);
    }

    @Override
    public String toString() {
        return "ManualTicker{" + now.get() + "ns}";
    }
}
