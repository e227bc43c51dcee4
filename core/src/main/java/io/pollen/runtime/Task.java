package io.pollen.runtime;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * What loop tasks ({@link LoopTask}) and virtual-thread tasks ({@link VirtualTask}) share: the
 * I/O objects a task opened, which its cancellation closes (so a cancelled task leaves no
 * registration and no fd behind), and the rule for reporting failures.
 *
 * <p>A resource is owned by the task that was running when it was created: the loop remembers the
 * current task while it runs a task's code, an I/O completion of one of the task's objects, or a
 * timer the task scheduled, so ownership follows the task through its continuations. When the task
 * finishes normally its objects are simply disowned: they stay open for whoever holds them.
 */
abstract class Task extends RemoteQueue.Node {
    final EventLoop loop;
    /** Links in the loop's list of live tasks (loop thread only). */
    Task livePrev, liveNext;
    boolean live;
    private Map<AutoCloseable, Boolean> resources;
    /** Finished or cancelled: new resources are no longer recorded. */
    private boolean released;
    /** Cancelled: its resources were closed, and so is any it opens from now on. */
    private boolean closed;

    Task(EventLoop loop) {
        this.loop = loop;
    }

    /** The task running on the calling thread (a loop's current task or a virtual task), or null. */
    static Task current(EventLoop target) {
        EventLoop cur = EventLoop.current();
        if (cur == null && target != null && target.inLoop()) {
            cur = target;
        }
        if (cur != null) {
            return cur.core().current();
        }
        return VirtualTask.CURRENT.get();
    }

    /**
     * Records that this task owns {@code r}; false if the task was already done or cancelled. A
     * cancelled task's code may still run (a virtual thread that ignores its interrupt, a stage
     * that was already queued): what it opens then is closed at once, so that its operations fail
     * and nothing stays open that nobody owns.
     */
    boolean own(AutoCloseable r) {
        synchronized (this) {
            if (!released) {
                if (resources == null) {
                    resources = new IdentityHashMap<>();
                }
                resources.put(r, Boolean.TRUE);
                return true;
            }
            if (!closed) {
                return false;
            }
        }
        loop.errors().closeQuietly(r);
        return false;
    }

    synchronized void disown(AutoCloseable r) {
        if (resources != null) {
            resources.remove(r);
        }
    }

    /** Forgets every resource (normal completion): they stay open. */
    synchronized void disownAll() {
        released = true;
        resources = null;
    }

    /**
     * {@link #disownAll} by the one thread that records this task's resources (a loop task's loop:
     * {@link #current} finds a loop's task only on its thread). With none recorded there is nobody
     * to lock against, so the usual case takes no lock.
     */
    void disownAllOnOwnerThread() {
        if (resources == null) {
            released = true;
        } else {
            disownAll();
        }
    }

    /** Closes every resource (cancellation). */
    void closeResources() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            released = true;
            closed = true;
            toClose = resources == null ? List.of() : new ArrayList<>(resources.keySet());
            resources = null;
        }
        toClose.forEach(loop.errors()::closeQuietly);
    }

    /** Cancels the task: frees its resources and stops it. Any thread; idempotent. */
    abstract void cancelTask();

    /**
     * Fails {@code handle} with {@code cause}; a failure nobody waits for (no dependent stage and
     * no thread in join/get at that moment) goes to the loop's error handler too.
     *
     * @return false if the handle was already complete (e.g. cancelled from outside)
     */
    static boolean fail(JoinHandle<?> handle, Throwable cause) {
        if (cause instanceof CancellationException) {
            return handle.cancelled();
        }
        boolean observed = handle.getNumberOfDependents() > 0;
        if (!handle.fail(cause)) {
            return false;
        }
        if (!observed) {
            handle.loop().reportError(cause);
        }
        return true;
    }

    /**
     * The task's outcome is settled: if it completed its handle, its resources are disowned (they
     * stay open for whoever holds them); if a cancel had completed the handle first, they are
     * closed, as the cancel promised.
     */
    void settle(boolean completedHandle) {
        if (completedHandle) {
            disownAll();
        } else {
            closeResources();
        }
    }
}
