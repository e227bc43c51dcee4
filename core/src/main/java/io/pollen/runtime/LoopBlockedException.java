package io.pollen.runtime;

/**
 * The report of a loop held by one task or handler for longer than the runtime's
 * {@linkplain Runtime.Builder#blockedThreshold blocked threshold}: handed to the runtime's error
 * handler (on the watchdog's thread, not the loop's), once per blocked stretch and at most once
 * per loop every {@link #MIN_INTERVAL_NANOS} nanoseconds. Its stack trace is the loop thread's
 * stack at the moment the watchdog looked — where the loop is stuck — and its message names the
 * loop, how long it has been busy and the class of what it was running.
 *
 * <p>Nothing is interrupted: the report is a diagnosis, the loop goes on when the task returns.
 * Not guaranteed: that every blocked stretch is reported (the watchdog samples; reports are rate
 * limited; a stretch shorter than the threshold plus one sampling period may go unseen).
 */
public final class LoopBlockedException extends RuntimeException {
    /** At most one report per loop within this many nanoseconds (one second). */
    public static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    /** The blocked loop's name. */
    private final String loop;
    /** How long the loop had been busy when the watchdog looked. */
    private final long blockedNanos;

    LoopBlockedException(String loop, long blockedNanos, String running, StackTraceElement[] loopStack) {
        super(loop + " has been blocked for " + blockedNanos / 1_000_000 + " ms"
                + (running == null ? "" : " running " + running)
                + "; a task or handler that blocks holds every connection and timer of its loop", null, false, true);
        this.loop = loop;
        this.blockedNanos = blockedNanos;
        setStackTrace(loopStack);
    }

    /** The blocked loop's name. */
    public String loop() {
        return loop;
    }

    /** How long the loop had been busy (in one stretch) when it was reported. */
    public long blockedNanos() {
        return blockedNanos;
    }
}
