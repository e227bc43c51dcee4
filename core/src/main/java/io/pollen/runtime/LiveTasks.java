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
 * <p>The count is monotonic counters a cache line apart: tasks spawned by other threads (an atomic
 * add), tasks spawned on the loop's own thread (a plain store: only that thread writes it), and
 * tasks finished (an atomic add: the loop's thread, and after the loop closed, whoever completes a
 * task then). Neither side pulls the other's line over for every task, and a spawn on the loop
 * takes no atomic instruction. Zero pending is the moment spawned equals finished.
 */
final class LiveTasks {
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    /**
     * Index in {@link #counts} of the tasks other threads spawned: 16 longs (128 bytes, two cache
     * lines) from the array's start, so that whatever the heap holds before it cannot share its line.
     */
    private static final int SPAWNED_ELSEWHERE = 16;
    /** Index of the tasks the loop's thread spawned: 128 bytes on (the loop's own line). */
    private static final int SPAWNED_HERE = 32;
    /** Index of the finished tasks, next to the loop's other counter, 128 bytes before the end. */
    private static final int FINISHED = 33;
    /** The counters, apart (a long[] keeps its elements in order, unlike an object's fields). */
    private final long[] counts = new long[FINISHED + 16];
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private volatile boolean draining;
    /**
     * The most recently started live task (loop thread only). Padded: written for every task, while
     * spawning threads read this object's {@link #counts}.
     */
    private final PaddedRef<Task> head = new PaddedRef<>(null);

    /** A task was spawned; {@code here}: by the loop's own thread. */
    void spawned(boolean here) {
        if (here) {
            COUNTS.setRelease(counts, SPAWNED_HERE, (long) COUNTS.get(counts, SPAWNED_HERE) + 1);
        } else {
            COUNTS.getAndAdd(counts, SPAWNED_ELSEWHERE, 1L);
        }
    }

    /** A task {@link #spawned} was refused before it was queued: it never counted. */
    void refused(boolean here) {
        if (here) {
            COUNTS.setRelease(counts, SPAWNED_HERE, (long) COUNTS.get(counts, SPAWNED_HERE) - 1);
        } else {
            COUNTS.getAndAdd(counts, SPAWNED_ELSEWHERE, -1L);
        }
        if (draining && count() == 0) {
            idle.complete(null);
        }
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
        if (draining && finished == spawned()) {
            idle.complete(null);
        }
    }

    private long spawned() {
        return (long) COUNTS.getVolatile(counts, SPAWNED_HERE) + (long) COUNTS.getVolatile(counts, SPAWNED_ELSEWHERE);
    }

    int count() {
        long finished = (long) COUNTS.getVolatile(counts, FINISHED); // first: spawned only grows
        return (int) Math.max(0, spawned() - finished);
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
