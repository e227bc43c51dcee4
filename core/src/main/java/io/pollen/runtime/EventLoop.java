package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * One event loop: a reactor (the backend's driver) and an executor sharing one thread (the fast
 * path of Netty, Tokio's current-thread runtime, libuv). Tasks, I/O completions and timers of a
 * loop all run on its thread, so they never race with each other.
 *
 * <p>Every iteration runs the same phases: the ready tasks (at most a budget of them, none queued
 * during the phase), then the driver — waiting until the next timer deadline at most, then
 * dispatching readiness to the registrations' handlers — then the expired timers. This class is
 * the loop's handle, usable from any thread; what only the loop's thread touches lives in its
 * core, and the timers in their own queue.
 *
 * <p>A loop either runs on its own thread (made by {@link Runtime}) or is driven by the thread
 * that {@linkplain #open opened} it, one iteration per {@link #runOnce} — handy in tests:
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=event-loop}
 *
 * <h2>Threads</h2>
 * {@link #execute}, {@link #spawn}, the timer methods and {@link JoinHandle#cancel} may be called
 * from any thread. {@link #register} belongs to the loop's thread. Closing a loop cancels its
 * tasks, closes every socket registered with it and drops its timers: a pending {@link #sleep}
 * fails (so a virtual thread parked on it wakes), and so does one started later. Not guaranteed:
 * fairness between tasks beyond FIFO order and the per-iteration budget; a task that computes
 * without yielding holds the loop.
 *
 * <h2>Failures</h2>
 * A task's failure, a handler's exception and a failing iteration go to the error handler and the
 * loop goes on; reporting never throws ({@link LastResort}). A loop whose thread ends anyway (100
 * iterations failing in a row, or a failure of its own safety nets) closes what it owns, reports
 * why, and marks its {@link Runtime} {@linkplain Runtime#isFailed() failed}: never dead silently.
 *
 * <p>Interrupting a loop's own thread does not stop it ({@link #close} does): the loop clears the
 * interrupt status and reports it to the error handler, as an {@link IllegalStateException}. Left
 * set, it would make every later poll of the java.nio backend return at once, and the loop spin.
 */
public final class EventLoop implements Executor, AutoCloseable {
    /** The loop whose thread is running, for {@link #current()}. */
    static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
    static final int DEFAULT_BUDGET = 512;

    /** The loop's name, also its thread's. */
    private final String name;
    /** The one run queue: local deque for the loop, lock-free queue for other threads. */
    private final TaskQueue tasks = new TaskQueue();
    /** The driver seam, the registration table and the one wake-up flag. */
    private final IoDriver io;
    /** Timers, fired in the last phase of an iteration. */
    private final LoopTimers timers;
    /** The loop thread's own state and phases. */
    private final LoopCore core;
    /** The clock of timers. */
    private final Ticker ticker;
    /** Where task failures and handler exceptions go, and what a dying loop tells. */
    private final LoopErrors errors;
    /** Spawned tasks not yet finished; a graceful shutdown waits for none to be left. */
    private final LiveTasks live = new LiveTasks();
    /** The thread {@link #start} made, or null for a loop driven by its opener. */
    private volatile Thread thread;
    /** Open, draining, stopping or closed; only moves forward. */
    private final LoopState state = new LoopState();
    /** Statistics and the word the blocked-loop watchdog samples. */
    private final LoopMonitor monitor;

    private EventLoop(String name, Backend backend, Ticker ticker, BiConsumer<EventLoop, Throwable> errorHandler,
                      int budget, long blockedNanos) throws IOException {
        this.name = name;
        this.ticker = ticker;
        this.errors = new LoopErrors(this, errorHandler);
        // What the driver re-checks after announcing a sleep: work from other threads, and a stop
        // (stop() wakes only a parked loop, so a stop that came before the announcement must be seen).
        this.io = new IoDriver(backend, 1024, this, () -> tasks.hasRemote() || state.isStopping(),
                this::reportError);
        this.timers = new LoopTimers(this, ticker);
        this.monitor = new LoopMonitor(name, blockedNanos);
        io.watchedBy(monitor);
        this.core = new LoopCore(this, io, tasks, timers, budget, monitor);
    }

    /** Opens a loop on {@code backend}, driven by the calling thread through {@link #runOnce}. */
    public static EventLoop open(Backend backend) throws IOException {
        return open(backend, Ticker.system());
    }

    /** As {@link #open(Backend)}, reading time from {@code ticker} (e.g. a {@link ManualTicker}). */
    public static EventLoop open(Backend backend, Ticker ticker) throws IOException {
        return create("pollen-loop", backend, ticker, LoopErrors::logError, DEFAULT_BUDGET, 0);
    }

    /** {@code blockedNanos}: report the loop when one stretch of work holds it this long (0: never). */
    static EventLoop create(String name, Backend backend, Ticker ticker, BiConsumer<EventLoop, Throwable> onError,
                            int budget, long blockedNanos) throws IOException {
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(backend, "backend");
        return new EventLoop(name, backend, ticker, onError, budget, blockedNanos);
    }

    /** Starts the loop on a new platform thread named after the loop. */
    Thread start() {
        Thread t = Thread.ofPlatform().name(name).unstarted(core::run);
        thread = t;
        io.bind(t);
        t.start();
        LoopWatchdog.watch(this, monitor, t);
        return t;
    }

    public String name() {
        return name;
    }

    public Backend backend() {
        return io.backend();
    }

    public Ticker ticker() {
        return ticker;
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return io.inOwner();
    }

    /** The loop whose thread is calling (while it runs), or null off any loop. */
    public static EventLoop current() {
        return CURRENT.get();
    }

    /** Runs {@code task} on the loop, after the tasks already queued. Any thread. */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!queue(task, inLoop(), false)) {
            throw new RejectedExecutionException(name + " is closed");
        }
    }

    /** {@link #execute}, but false instead of an exception when the loop is closed. */
    boolean executeQuietly(Runnable task) {
        return queue(task, inLoop(), false);
    }

    /**
     * Queues {@code task}; false if the loop is closed. {@code here}: the caller is the loop's
     * thread (the caller knows, so it is asked once). {@code fresh}: a {@link LoopTask} spawned
     * just now, which another thread links in as its own queue node (no wrapper allocated).
     */
    private boolean queue(Runnable task, boolean here, boolean fresh) {
        if (here) {
            if (state.isClosed()) {
                return false;
            }
            tasks.addLocal(task);
            return true;
        }
        if (fresh) {
            tasks.addRemoteFresh((LoopTask<?>) task);
        } else {
            tasks.addRemote(task);
        }
        if (state.isClosed() && tasks.takeBack(task)) {
            return false; // closed meanwhile, and the loop's last drain did not take it
        }
        io.wakeup();
        return true;
    }

    /**
     * Spawns an async task: {@code task} runs on the loop and returns the stage the task ends
     * with. Any thread. The task never runs inline in the caller.
     */
    public <T> JoinHandle<T> spawn(Supplier<? extends CompletionStage<T>> task) {
        return spawn(task, false);
    }

    /** {@code observed}: a caller will wait on the handle, so its failure is not "uncaught". */
    <T> JoinHandle<T> spawn(Supplier<? extends CompletionStage<T>> task, boolean observed) {
        Objects.requireNonNull(task, "task");
        LoopTask<T> t = new LoopTask<>(this, task);
        if (observed) {
            t.handle.observe();
        }
        boolean here = inLoop();
        live.spawned(here);
        if (state.isStopping() || !queue(t, here, true)) {
            live.refused(here);
            t.handle.fail(new RejectedExecutionException(name + " is shutting down"));
        }
        return t.handle;
    }

    /**
     * Runs {@code task} to completion and returns its result. On a loop driven by the caller this
     * drives it; for a loop on its own thread it waits. Not on the loop's own thread.
     */
    public <T> T blockOn(Supplier<? extends CompletionStage<T>> task) throws ExecutionException, InterruptedException {
        JoinHandle<T> h = spawn(task, true);
        if (thread == null && inLoop()) {
            while (!h.isDone()) {
                if (Thread.interrupted()) {
                    h.cancel(true);
                    throw new InterruptedException();
                }
                core.iterateDriven(-1, h);
            }
        }
        return h.get();
    }

    /**
     * A stage completed on the loop in a later iteration, after a poll: a busy task awaits it
     * between chunks of work so that I/O and other tasks progress.
     */
    public CompletableFuture<Void> yieldNow() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        execute(() -> f.complete(null));
        return f;
    }

    /**
     * Runs one iteration, waiting at most {@code timeout} for I/O ({@code null}: until something
     * happens). Only on a loop driven by the caller, from the thread that opened it.
     *
     * @return how much work the iteration did (tasks, events and timers); 0 if it only waited
     */
    public int runOnce(Duration timeout) {
        if (thread != null || !inLoop()) {
            throw new IllegalStateException("runOnce drives a loop from the thread that opened it; " + name
                    + " runs on its own thread");
        }
        return core.iterateDriven(timeout == null ? -1 : timeout.toNanos(), null);
    }

    /**
     * Completes after {@code delay} (on the loop). Cancelling the future cancels the timer. If the
     * loop closes first, the future fails with a {@link java.nio.channels.ClosedChannelException}.
     */
    public CompletableFuture<Void> sleep(Duration delay) {
        return timers.sleep(delay);
    }

    /**
     * {@code stage}'s outcome, or a {@link TimeoutException} if it takes longer than
     * {@code limit}; then {@code stage} is cancelled — for a {@link JoinHandle}, the task is
     * cancelled and its sockets closed.
     */
    public <T> CompletableFuture<T> timeout(CompletionStage<T> stage, Duration limit) {
        Objects.requireNonNull(stage, "stage");
        return Timeouts.limit(this, stage, limit);
    }

    /** Runs {@code action} on the loop after {@code delay}. Any thread. */
    public TimerHandle schedule(Duration delay, Runnable action) {
        return timers.schedule(delay, action);
    }

    /** Runs {@code action} every {@code period}, first after one period, until cancelled. */
    public TimerHandle interval(Duration period, Runnable action) {
        return timers.interval(period, action);
    }

    TimerQueue timers() {
        return timers.queue();
    }

    /**
     * The number of timers (sleeps, schedules, intervals) queued and neither fired nor cancelled:
     * for tests and monitoring, e.g. that the timers of abandoned requests were cancelled. Exact on
     * the loop's thread; from another thread a recent value, without synchronisation.
     */
    public int timerCount() {
        return timers.queue().size();
    }

    /**
     * Registers {@code source} for {@code interest}: {@code handler} is called on this loop's
     * thread with the readiness bits of every event. Register {@code READABLE|WRITABLE} once and
     * drain until "would block" (edge-triggered). The returned {@link Registration} keeps the
     * readiness seen so far. If the source is {@link java.io.Closeable}, closing the loop closes
     * it. Loop thread only; allocates only the Registration.
     *
     * @throws IllegalStateException off the loop's thread or after close
     * @throws UncheckedIOException if the backend refuses the source
     */
    public Registration register(Source source, Interest interest, ReadyHandler handler) {
        return io.register(source, interest, handler, name);
    }

    /** The number of live registrations. */
    int registrations() {
        return io.registrations();
    }

    LoopCore core() {
        return core;
    }

    LiveTasks liveTasks() {
        return live;
    }

    /** What the loop has done so far: a recent, non-atomic snapshot (see {@link LoopStats}). Any thread. */
    public LoopStats stats() {
        return monitor.snapshot(tasks.depth(), io.kernelCalls());
    }

    /** The number of spawned tasks that have not finished. Any thread. */
    public int taskCount() {
        return live.count();
    }

    /** Where task failures and handler exceptions go; the loop keeps running. Never throws. */
    void reportError(Throwable t) {
        errors.report(t);
    }

    /** Failure reporting, and the loop's death if it comes to that. */
    LoopErrors errors() {
        return errors;
    }

    /** Stops accepting (closes the listeners); the future completes when no task is left. */
    CompletableFuture<Void> beginShutdown() {
        if (!executeQuietly(() -> {
            state.advanceTo(LoopState.DRAINING);
            core.closeListeners();
        })) {
            live.closed();
        }
        return live.drain();
    }

    /** Cancels every task, started or still queued. */
    void cancelTasks() {
        executeQuietly(core::cancelTasks);
    }

    LoopState state() {
        return state;
    }

    /** Asks the loop's thread to finish: it closes everything the loop owns on its way out. */
    void stop() {
        state.advanceTo(LoopState.STOPPING);
        io.wakeup();
    }

    Thread thread() {
        return thread;
    }

    /**
     * Closes the loop now: cancels its tasks, closes every socket registered with it and the
     * Poll. For a loop on its own thread this stops the thread (use {@link Runtime#shutdown} for
     * a graceful shutdown) and waits for it. Idempotent.
     */
    @Override
    public void close() {
        Thread t = thread;
        if (t == null) {
            if (!inLoop()) {
                throw new IllegalStateException("close a caller-driven loop from the thread that opened it");
            }
            core.closeNow();
            return;
        }
        stop();
        if (Thread.currentThread() != t) {
            Threads.joinUninterruptibly(t);
        }
    }

    /** Whether the loop has closed. */
    public boolean isClosed() {
        return state.isClosed();
    }

    @Override
    public String toString() {
        return "EventLoop{" + name + ", " + backend().id() + ", tasks=" + live.count()
                + (state.isClosed() ? ", closed}" : "}");
    }
}
