package io.pollen.runtime;

/**
 * The monotonic clock an {@link EventLoop} reads to schedule timers: {@link #system()} in
 * production, a {@link ManualTicker} in tests that want to advance time deterministically.
 *
 * <p>A ticker measures elapsed time only, like {@link System#nanoTime()}: its values have no
 * relation to wall-clock time and may be negative. Differences between two readings are
 * nanoseconds. Implementations must be thread-safe and never go backwards.
 */
@FunctionalInterface
public interface Ticker {

    /** The current reading in nanoseconds; only differences between readings mean anything. */
    long nanoTime();

    /** {@link System#nanoTime()}: the default. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

/** The JDK's monotonic clock. A separate type so that loops can tell it apart from test clocks. */
final class SystemTicker implements Ticker {
    static final SystemTicker INSTANCE = new SystemTicker();

    private SystemTicker() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "Ticker.system()";
    }
}
