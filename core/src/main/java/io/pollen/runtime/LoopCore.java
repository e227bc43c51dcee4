package io.pollen.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * What only the loop's thread touches (Tokio's {@code current_thread::Core}): the phases of an
 * iteration, the task running now, the listeners a drain closes, and the way out. Other threads
 * reach the loop only through its handle, {@link EventLoop} (execute, spawn, wake-ups, timers made
 * elsewhere arrive as tasks).
 *
 * <p>Every iteration runs the same phases, in {@link #iterate} and nowhere else:
 * <ol>
 *   <li>run the ready tasks — at most a budget of them, and none queued during this phase;</li>
 *   <li>compute the driver's timeout from the next timer deadline (0 if tasks are still waiting);</li>
 *   <li>run the driver: wait, then dispatch readiness or completions to the registrations;</li>
 *   <li>fire the expired timers.</li>
 * </ol>
 */
final class LoopCore {
    /** Iterations that fail in a row before a loop gives up as failed; see {@link #run}. */
    static final int MAX_FAILED_ITERATIONS = 100;

    /** The handle: name, lifecycle state, error handler, live tasks. */
    private final EventLoop loop;
    /** The driver seam and the registration table. */
    private final IoDriver io;
    /** The one run queue of the loop. */
    private final TaskQueue tasks;
    /** The loop's timers. */
    private final LoopTimers timers;
    /** Tasks run per iteration at most, so that I/O and timers keep their turn. */
    private final int budget;
    /** {@link EventLoop#reportError}, made once so that running tasks allocates nothing. */
    private final Consumer<Throwable> errorSink;
    /** Listeners to close when the loop drains (a shutdown stops accepting first). */
    private final HashSet<AutoCloseable> listeners = new HashSet<>();
    /**
     * The task whose code runs now (its resources are closed with it), or null. Padded: written
     * twice per task, it must not share a cache line with what spawning threads read.
     */
    private final PaddedRef<Task> current = new PaddedRef<>(null);
    /** Set once the loop cancels every task: new resources of a task are closed at once. */
    private boolean cancellingTasks;
    /** Counters and the "busy since" word the watchdog samples. */
    private final LoopMonitor monitor;

    LoopCore(EventLoop loop, IoDriver io, TaskQueue tasks, LoopTimers timers, int budget, LoopMonitor monitor) {
        this.loop = loop;
        this.monitor = monitor;
        this.io = io;
        this.tasks = tasks;
        this.timers = timers;
        this.budget = budget;
        this.errorSink = loop::reportError;
    }

    /**
     * One iteration. {@code maxWaitNanos < 0}: wait as long as nothing is due; the driver does not
     * wait once {@code until} (what a caller-driven loop is waiting for) is done.
     *
     * @return how much work the iteration did (tasks, reports and timers)
     */
    int iterate(long maxWaitNanos, Future<?> until) {
        EventLoop outer = EventLoop.CURRENT.get();
        if (outer != loop) {
            EventLoop.CURRENT.set(loop);
        }
        try {
            // 1. ready tasks, bounded by the budget
            int ran = tasks.run(budget, errorSink);
            if (loop.state().isClosed()) {
                return ran; // a task closed its caller-driven loop: the driver is gone
            }
            // 2. the next timer deadline bounds the wait. Two clock reads per iteration serve
            // the timers and the monitor both (each read is a few percent of a busy echo server).
            long now = System.nanoTime();
            long wait;
            if (tasks.hasWork() || loop.state().isStopping() || (until != null && until.isDone())) {
                wait = 0;
            } else {
                long untilTimer = timers.nanosUntilNext(timers.now(now));
                wait = untilTimer < 0 ? maxWaitNanos
                        : maxWaitNanos < 0 ? untilTimer : Math.min(untilTimer, maxWaitNanos);
            }
            // 3. the driver waits, then dispatches to the registrations' handlers
            monitor.beforeWait(wait, now);
            int reports = io.run(wait);
            long after = monitor.afterWait(reports);
            if (loop.state().isClosed()) {
                return ran + reports; // a handler closed it
            }
            // 4. the timers that are due by the time the wait ended (never early; one that came due
            // while the handlers ran fires next iteration, which does not wait for it)
            int fired = timers.fireExpired(timers.now(after));
            monitor.iterated(ran, fired);
            return ran + reports + fired;
        } finally {
            if (outer != loop) {
                EventLoop.CURRENT.set(outer);
            }
        }
    }

    /**
     * The loop's own thread: iterates until stopped, then closes everything the loop owns. A loop
     * whose thread ends otherwise (too many failing iterations, a safety net that failed) reports
     * why and tells its runtime ({@link EventLoop#failed}).
     */
    void run() {
        EventLoop.CURRENT.set(loop);
        monitor.restart(); // busy from the first task on: the first iteration is watched too
        Throwable fatal = null;
        try {
            fatal = loop();
        } catch (Throwable t) {
            fatal = t; // a safety net let something through: the loop is dead, and says so below
        } finally {
            try {
                closeNow();
            } catch (Throwable t) {
                if (fatal == null && !loop.state().isClosed()) {
                    fatal = t;
                }
            }
            EventLoop.CURRENT.remove();
            if (fatal != null) {
                loop.errors().failed(fatal);
            }
        }
    }

    /**
     * Iterates until stopped. A failing iteration is reported and the loop goes on; but a loop
     * whose every iteration fails (a broken Poll, a clock that throws) cannot make progress, and
     * spinning on it would hide that: after {@link EventLoop#MAX_FAILED_ITERATIONS} failures in a
     * row it returns the failure, and the loop ends as failed.
     *
     * @return null when stopped, else why the loop gave up
     */
    private Throwable loop() {
        int work = 0;
        int failures = 0;
        while (!loop.state().isStopping()) {
            if (Thread.interrupted()) {
                // A task (or a library it called) interrupted this thread, e.g. restoring the
                // status after catching InterruptedException. Clear it, or nio polls never block.
                loop.reportError(new IllegalStateException("the thread of " + loop.name()
                        + " was interrupted; an interrupt does not stop an event loop (close it instead),"
                        + " so the interrupt status was cleared"));
            }
            try {
                // After a turn that did work, look once more without blocking before sleeping:
                // work handed over meanwhile is picked up without a wake-up (an eventfd write
                // by the sender, and the kernel waking this thread), the costliest path here.
                work = iterate(work > 0 ? 0 : -1, null);
                failures = 0;
            } catch (Throwable t) {
                work = 0;
                if (++failures >= MAX_FAILED_ITERATIONS) {
                    return new IllegalStateException(loop.name() + " stopped: " + failures
                            + " iterations in a row failed, the last with " + t, t);
                }
                if (failures <= 3) {
                    loop.reportError(t); // one bad iteration does not kill the loop
                }
            }
        }
        return null;
    }

    /** A caller-driven iteration: the time since the last one was the caller's, not the loop's. */
    int iterateDriven(long maxWaitNanos, Future<?> until) {
        monitor.restart();
        return iterate(maxWaitNanos, until);
    }

    /** What the loop runs now (a task's or handler's class), or null; any thread, racy. */
    String running() {
        Object r = tasks.running.get();
        if (r == null) {
            r = io.running.get();
        }
        if (r instanceof LoopTask<?> t) {
            r = t.body; // the spawned code, not the runtime's wrapper
        }
        return r == null ? null : r.getClass().getName();
    }

    // ---- the running task ----

    Task current() {
        return current.get();
    }

    Task enter(Task t) {
        Task prev = current.get();
        current.set(t);
        return prev;
    }

    void exit(Task prev) {
        current.set(prev);
    }

    boolean isCancellingTasks() {
        return cancellingTasks;
    }

    /** Cancels every live task, started or still queued. */
    void cancelTasks() {
        cancellingTasks = true;
        for (Task t : loop.liveTasks().snapshot()) {
            t.cancelTask();
        }
    }

    // ---- listeners ----

    void addListener(AutoCloseable l) {
        listeners.add(l);
    }

    void removeListener(AutoCloseable l) {
        listeners.remove(l);
    }

    /** Closes every listener (stop accepting); failures go to the error handler. */
    void closeListeners() {
        for (AutoCloseable l : new ArrayList<>(listeners)) {
            loop.errors().closeQuietly(l);
        }
    }

    // ---- the way out ----

    /**
     * Closes the loop now, on its thread: cancels its tasks, closes its listeners and every
     * registered source, drops its timers, then the driver. Idempotent.
     */
    void closeNow() {
        if (loop.state().isClosed()) {
            return;
        }
        loop.state().advanceTo(LoopState.STOPPING);
        cancelTasks();
        closeListeners();
        timers.dropAll();
        // Work queued so far runs once more, against closed resources: futures it completes fail
        // instead of hanging their waiters.
        for (int round = 0; round < 8 && tasks.hasWork(); round++) {
            tasks.run(budget, errorSink);
        }
        loop.state().advanceTo(LoopState.CLOSED);
        io.close();
        ArrayDeque<Runnable> late = tasks.drain();
        for (Runnable r : late) {
            try {
                r.run();
            } catch (Throwable e) {
                loop.reportError(e);
            }
        }
        loop.liveTasks().closed();
        timers.detachTicker();
        monitor.stopped();
        LoopWatchdog.unwatch(loop);
    }
}
