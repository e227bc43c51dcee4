package io.pollen.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tasks of one {@link EventLoop} that have not finished: a count of every spawned task (read by
 * any thread, e.g. a graceful shutdown waiting for it to reach zero) and an intrusive list of the
 * started ones (loop thread only; no allocation and O(1) removal per task), which a forced
 * shutdown cancels.
 */
final class LiveTasks {
    private final AtomicInteger pending = new AtomicInteger();
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private volatile boolean draining;
    private Task head;

    /** A task was spawned (any thread). */
    void spawned() {
        pending.incrementAndGet();
    }

    /** A spawned task was refused before it was queued (any thread). */
    void refused() {
        finished();
    }

    /** A task started running (loop thread). */
    void started(Task t) {
        t.liveNext = head;
        if (head != null) {
            head.livePrev = t;
        }
        head = t;
        t.live = true;
    }

    /** A task finished or was cancelled (loop thread). */
    void done(Task t) {
        if (t.live) {
            t.live = false;
            if (t.livePrev != null) {
                t.livePrev.liveNext = t.liveNext;
            } else {
                head = t.liveNext;
            }
            if (t.liveNext != null) {
                t.liveNext.livePrev = t.livePrev;
            }
            t.livePrev = t.liveNext = null;
        }
        finished();
    }

    private void finished() {
        if (pending.decrementAndGet() == 0 && draining) {
            idle.complete(null);
        }
    }

    int count() {
        return pending.get();
    }

    /** From now on, the future completes as soon as no task is left. */
    CompletableFuture<Void> drain() {
        draining = true;
        if (pending.get() == 0) {
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
        for (Task t = head; t != null; t = t.liveNext) {
            all.add(t);
        }
        return all;
    }
}
