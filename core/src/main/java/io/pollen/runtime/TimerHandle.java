package io.pollen.runtime;

/**
 * A timer scheduled with {@link EventLoop#schedule} or {@link EventLoop#interval}.
 *
 * <p>{@link #cancel()} is O(1): it marks the timer, and the loop drops it when it reaches the
 * head of its queue (or when cancelled timers make up half the queue, which is then compacted).
 * On the loop's thread, a timer cancelled before it fires never fires. From another thread, a
 * timer that is firing at that moment may still run once.
 */
public final class TimerHandle {
    final EventLoop loop;
    final Runnable action;
    final long periodNanos;
    long deadline;
    long seq;
    volatile boolean cancelled;
    /** A one-shot timer that fired. */
    volatile boolean done;
    /** In the loop's heap (loop thread only). */
    boolean queued;
    /** Counted among the heap's cancelled entries (loop thread only). */
    boolean counted;
    /** The task whose resources this timer belongs to; the loop runs the action in its context. */
    final Task owner;

    TimerHandle(EventLoop loop, Runnable action, long deadline, long periodNanos, Task owner) {
        this.loop = loop;
        this.action = action;
        this.deadline = deadline;
        this.periodNanos = periodNanos;
        this.owner = owner;
    }

    /**
     * Cancels the timer (an interval stops repeating). Idempotent; any thread.
     *
     * @return true if this call cancelled it, false if it was already cancelled or has fired (a
     *         one-shot timer)
     */
    public boolean cancel() {
        if (cancelled || done) {
            return false;
        }
        cancelled = true;
        if (loop.inLoop()) {
            loop.timers().cancelled(this);
        } else {
            loop.executeQuietly(() -> loop.timers().cancelled(this));
        }
        return true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Whether this is a repeating timer. */
    public boolean isPeriodic() {
        return periodNanos > 0;
    }

    @Override
    public String toString() {
        return "TimerHandle{deadline=" + deadline + (periodNanos > 0 ? ", period=" + periodNanos : "")
                + (cancelled ? ", cancelled}" : "}");
    }
}
