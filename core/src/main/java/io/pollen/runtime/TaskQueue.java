package io.pollen.runtime;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The run queue of one {@link EventLoop} (and of a standalone {@link Reactor}): a plain deque for work the loop gives itself (no atomics
 * on the fast path) and a {@link RemoteQueue} for work other threads hand in (one atomic exchange
 * per task).
 *
 * <p>{@link #run} runs a bounded batch: at most {@code budget} tasks, and never a task queued
 * during the batch (it waits for the next iteration, after a poll). That is what makes a task
 * that re-queues itself ({@code yieldNow}) unable to starve I/O or timers.
 */
final class TaskQueue {
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(256);
    private final RemoteQueue remote = new RemoteQueue();
    /**
     * The task running now, or null; read racily by the watchdog to say what holds the loop.
     * Padded: written for every task, next to fields other threads read for every hand-over.
     */
    final PaddedRef<Runnable> running = new PaddedRef<>(null);

    /** Loop thread only. */
    void addLocal(Runnable task) {
        local.addLast(task);
    }

    /** Any thread; the caller wakes the loop. */
    void addRemote(Runnable task) {
        remote.add(task);
    }

    /** Any thread, for a task never queued before (a fresh spawn): no wrapper is allocated. */
    void addRemoteFresh(RemoteQueue.Node fresh) {
        remote.addFresh(fresh);
    }

    /**
     * Called by a thread that handed {@code task} in and then saw the owner closed: takes it back
     * if the owner's last {@link #drain} did not take it (true: the caller refuses it), so that
     * every task either runs or is refused, never neither. Other senders' tasks found on the way
     * are queued again for them (or for the owner's drain) to find.
     */
    boolean takeBack(Runnable task) {
        synchronized (remote) {
            ArrayDeque<Runnable> found = new ArrayDeque<>();
            remote.drainLocked(found);
            boolean mine = false;
            for (Runnable r : found) {
                if (r == task && !mine) {
                    mine = true;
                } else {
                    remote.add(r);
                }
            }
            return mine;
        }
    }

    /** Whether other threads queued work (or are linking it in now); owner thread, before parking. */
    boolean hasRemote() {
        return !remote.isEmpty();
    }

    /** Tasks queued now; any thread, approximate while the loop runs (for statistics). */
    int depth() {
        return local.size() + remote.size(1 << 20);
    }

    /** Whether work is waiting; loop thread. */
    boolean hasWork() {
        return !local.isEmpty() || !remote.isEmpty();
    }

    /**
     * Runs up to {@code budget} of the tasks queued before the call. A task's exception goes to
     * {@code onError}; it never escapes.
     *
     * @return how many ran
     */
    int run(int budget, Consumer<Throwable> onError) {
        // The loop's own tasks queued before the call first, then other threads' tasks queued
        // before it, straight from their queue (no copy through the deque): at most a budget in
        // all, so a producer faster than this loop cannot keep it here (the rest waits for the
        // next batch, after a poll, as does everything queued while the batch runs).
        RemoteQueue.Node mark = remote.mark();
        int n = Math.min(budget, local.size());
        for (int i = 0; i < n; i++) {
            runOne(local.pollFirst(), onError);
        }
        Runnable r;
        while (n < budget && (r = remote.pollUpTo(mark)) != null) {
            runOne(r, onError);
            n++;
        }
        running.set(null);
        return n;
    }

    private void runOne(Runnable task, Consumer<Throwable> onError) {
        running.set(task);
        try {
            task.run();
        } catch (Throwable t) {
            onError.accept(t);
        }
    }

    /**
     * Removes and returns everything queued, once the owner closed for good (its last consumption:
     * from now on a sender that sees the owner closed takes its task back, see {@link #takeBack}).
     */
    ArrayDeque<Runnable> drain() {
        remote.drainLocked(local);
        ArrayDeque<Runnable> all = new ArrayDeque<>(local);
        local.clear();
        return all;
    }
}
