package io.pollen.runtime;

import java.util.ArrayList;
import java.util.List;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The tasks of one {@link EventLoop} that have not finished: a count of every spawned task (read by
 * any thread, e.g. a graceful shutdown waiting for it to reach zero) and an intrusive list of the
 * started ones (loop thread only; no allocation and O(1) removal per task), which a forced
 * shutdown cancels.
 *
 * <p>The count is two monotonic counters, spawned and finished, a cache line apart: other threads
 * spawning bump the first, the loop finishing tasks the second, so neither side pulls the other's
 * line over for every task (one shared counter did, on every spawn from outside the loop). Zero
 * pending is the moment they are equal.
 */
final class LiveTasks {
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    /**
     * Index of the spawned counter in {@link #counts}: 16 longs (128 bytes, two cache lines) from
     * the array's start, so that whatever the heap holds before the array cannot share its line.
     */
    private static final int SPAWNED = 16;
    /** Index of the finished counter: 128 bytes on, and 128 bytes before the array's end. */
    private static final int FINISHED = 32;
    /** The two counters, apart (a long[] keeps its elements in order, unlike an object's fields). */
    private final long[] counts = new long[FINISHED + 16];
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private volatile boolean draining;
    /**
     * The most recently started live task (loop thread only). Padded: written for every task, while
     * spawning threads read this object's {@link #counts}.
     */
    private final PaddedRef<Task> head = new PaddedRef<>(null);

    /** A task was spawned (any thread). */
    void spawned() {
        COUNTS.getAndAdd(counts, SPAWNED, 1L);
    }

    /** A spawned task was refused before it was queued (any thread). */
    void refused() {
        finished();
    }

    /** A task started running (loop thread). */
    void started(Task t) {
        Task h = head.get();
        t.liveNext = h;
        if (h != null) {
            h.livePrev = t;
        }
        head.set(t);
        t.live = true;
    }

    /** A task finished or was cancelled (loop thread). */
    void done(Task t) {
        if (t.live) {
            t.live = false;
            if (t.livePrev != null) {
                t.livePrev.liveNext = t.liveNext;
            } else {
                head.set(t.liveNext);
            }
            if (t.liveNext != null) {
                t.liveNext.livePrev = t.livePrev;
            }
            t.livePrev = t.liveNext = null;
        }
        finished();
    }

    private void finished() {
        long finished = (long) COUNTS.getAndAdd(counts, FINISHED, 1L) + 1;
        if (draining && finished == (long) COUNTS.getVolatile(counts, SPAWNED)) {
            idle.complete(null);
        }
    }

    int count() {
        long finished = (long) COUNTS.getVolatile(counts, FINISHED); // first: spawned only grows
        return (int) ((long) COUNTS.getVolatile(counts, SPAWNED) - finished);
    }

    /** From now on, the future completes as soon as no task is left. */
    CompletableFuture<Void> drain() {
        draining = true;
        if (count() == 0) {
            idle.complete(null);
        }
        return idle;
    }

    /** Nothing is left to wait for (the loop closed). */
    void closed() {
        idle.complete(null);
    }

    /** A copy of the started tasks (cancelling one changes the list). */
    List<Task> snapshot() {
        List<Task> all = new ArrayList<>();
        for (Task t = head.get(); t != null; t = t.liveNext) {
            all.add(t);
        }
        return all;
    }
}
