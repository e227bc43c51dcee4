package io.pollen.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The life of one {@link EventLoop} — open, draining, stopping, closed — in one word that only
 * moves forward. Any thread reads it; the loop's handle and core move it.
 */
final class LoopState {
    /** Running and accepting. */
    static final int OPEN = 0;
    /** A graceful shutdown began: listeners closed, tasks still run. */
    static final int DRAINING = 1;
    /** Asked to stop: no new task or timer runs; the thread is on its way out. */
    static final int STOPPING = 2;
    /** Everything the loop owned is closed; execute refuses. */
    static final int CLOSED = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(LoopState.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One of the constants above. */
    private volatile int state = OPEN;

    int get() {
        return state;
    }

    boolean isStopping() {
        return state >= STOPPING;
    }

    boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Moves the state forward to {@code next}, never back. Other threads move it too (stop), so a
     * plain read-then-write could undo theirs: a drain that read OPEN and then wrote DRAINING over
     * a concurrent STOPPING left the loop asleep for good (seen in CI as a hung close()).
     */
    void advanceTo(int next) {
        int s;
        do {
            s = state;
            if (s >= next) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, next));
    }
}
