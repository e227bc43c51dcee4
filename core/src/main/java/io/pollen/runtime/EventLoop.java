package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One event loop: a {@link Reactor} and an executor sharing one thread (the fast path of Netty,
 * Tokio's current-thread runtime, libuv). Tasks, I/O completions and timers of a loop all run on
 * its thread, so they never race with each other.
 *
 * <p>Every iteration runs the same five phases, in {@link #iterate} and nowhere else:
 * <ol>
 *   <li>run the ready tasks — at most a budget of them, and none queued during this phase;</li>
 *   <li>compute the poll timeout from the next timer deadline (0 if tasks are still waiting);</li>
 *   <li>poll the reactor;</li>
 *   <li>dispatch readiness to the registrations' handlers;</li>
 *   <li>fire the expired timers.</li>
 * </ol>
 *
 * <p>A loop either runs on its own thread (made by {@link Runtime}) or is driven by the thread
 * that {@linkplain #open opened} it, one iteration per {@link #runOnce} — handy in tests:
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.open(Backend.NIO)) {
 *     int n = loop.blockOn(() -> loop.sleep(Duration.ofMillis(5)).thenApply(v -> 42));
 * }
 * }</pre>
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
 * loop goes on; reporting never throws (see {@link LastResort}). A loop whose thread ends anyway —
 * {@value #MAX_FAILED_ITERATIONS} iterations failing in a row (a broken Poll, a clock that throws),
 * or a failure of its own safety nets — closes what it owns, reports why, and marks its
 * {@link Runtime} {@linkplain Runtime#isFailed() failed}, so that it is never dead silently.
 *
 * <p>Interrupting a loop's own thread does not stop it ({@link #close} does): the loop clears the
 * interrupt status and reports it to the error handler, as an {@link IllegalStateException}. Left
 * set, it would make every later poll of the java.nio backend return at once, and the loop spin.
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final ThreadLocal<EventLoop> CURRENT = new ThreadLocal<>();
    static final int DEFAULT_BUDGET = 512;
    /** The loop's life, in this order only; see {@link #advanceTo}. */
    private static final int OPEN = 0, DRAINING = 1, STOPPING = 2, CLOSED = 3;
    private static final VarHandle STATE;
    private static final Runnable NOTHING = () -> { };
    private static final System.Logger LOG = System.getLogger("io.pollen.runtime");
    /** Iterations that fail in a row before a loop gives up as failed; see {@link #loop()}. */
    static final int MAX_FAILED_ITERATIONS = 100;

    static {
        LastResort.preload(); // its first use may come when no descriptor is free to load it
        try {
            STATE = MethodHandles.lookup().findVarHandle(EventLoop.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Reactor reactor;
    private final TaskQueue tasks = new TaskQueue();
    private final TimerQueue timers = new TimerQueue();
    private final Ticker ticker;
    private final BiConsumer<EventLoop, Throwable> errorHandler;
    private final int budget;
    private final Consumer<Throwable> errorSink = this::reportError;
    private final Consumer<TimerHandle> timerRunner = this::fireTimer;
    private final Runnable wake;

    private final LiveTasks live = new LiveTasks();
    private final HashSet<AutoCloseable> listeners = new HashSet<>();
    private volatile Thread owner;
    private volatile Thread thread;
    private volatile int state = OPEN;
    private boolean cancellingTasks;
    private Task current;
    private volatile Consumer<Throwable> onFailure;
    private volatile Throwable failure;

    private EventLoop(String name, Reactor reactor, Ticker ticker, BiConsumer<EventLoop, Throwable> errorHandler,
                      int budget) {
        this.name = name;
        this.reactor = reactor;
        this.ticker = ticker;
        this.errorHandler = errorHandler;
        this.budget = budget;
        this.owner = Thread.currentThread();
        // A task, not a bare wake-up: the reactor's check before sleeping sees queued tasks, but not
        // a clock that moved after the loop computed its wait.
        this.wake = () -> executeQuietly(NOTHING);
        // What the reactor re-checks after announcing a sleep: work from other threads, and a stop
        // (stop() wakes only a parked loop, so a stop that came before the announcement must be seen).
        reactor.moreWork(() -> tasks.hasRemote() || state >= STOPPING);
        reactor.errorHandler(errorSink);
        if (ticker instanceof ManualTicker m) {
            m.onAdvance(wake);
        }
    }

    /** Opens a loop on {@code backend}, driven by the calling thread through {@link #runOnce}. */
    public static EventLoop open(Backend backend) throws IOException {
        return open(backend, Ticker.system());
    }

    /** As {@link #open(Backend)}, reading time from {@code ticker} (e.g. a {@link ManualTicker}). */
    public static EventLoop open(Backend backend, Ticker ticker) throws IOException {
        return create("pollen-loop", backend, ticker, EventLoop::logError, DEFAULT_BUDGET);
    }

    static EventLoop create(String name, Backend backend, Ticker ticker, BiConsumer<EventLoop, Throwable> onError,
                            int budget) throws IOException {
        Objects.requireNonNull(ticker, "ticker");
        return new EventLoop(name, Reactor.open(backend), ticker, onError, budget);
    }

    /** Starts the loop on a new platform thread named after the loop. */
    Thread start() {
        Thread t = Thread.ofPlatform().name(name).unstarted(this::run);
        thread = t;
        owner = t;
        reactor.bind(t);
        t.start();
        return t;
    }

    public String name() {
        return name;
    }

    public Backend backend() {
        return reactor.backend();
    }

    public Ticker ticker() {
        return ticker;
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    /** The loop whose thread is calling (while it runs), or null off any loop. */
    public static EventLoop current() {
        return CURRENT.get();
    }

    /** Runs {@code task} on the loop, after the tasks already queued. Any thread. */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (inLoop()) {
            if (state == CLOSED) {
                throw new RejectedExecutionException(name + " is closed");
            }
            tasks.addLocal(task);
            return;
        }
        tasks.addRemote(task);
        if (state == CLOSED && tasks.removeRemote(task)) {
            // Closed meanwhile, and the loop's last drain did not take it.
            throw new RejectedExecutionException(name + " is closed");
        }
        reactor.wakeup();
    }

    /** {@link #execute}, but false instead of an exception when the loop is closed. */
    boolean executeQuietly(Runnable task) {
        try {
            execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
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
        live.spawned();
        if (state >= STOPPING || !executeQuietly(t)) {
            live.refused();
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
                iterate(-1, h);
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

    // ---- the loop ----

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
        return iterate(timeout == null ? -1 : timeout.toNanos(), null);
    }

    /**
     * The loop's phases. {@code maxWaitNanos < 0}: wait as long as nothing is due; the poll does
     * not wait once {@code until} (what a caller-driven loop is waiting for) is done.
     */
    private int iterate(long maxWaitNanos, java.util.concurrent.Future<?> until) {
        EventLoop outer = CURRENT.get();
        if (outer != this) {
            CURRENT.set(this);
        }
        try {
            // 1. ready tasks, bounded by the budget (work handed to the reactor's queue too)
            int work = reactor.runCommands();
            work += tasks.run(budget, errorSink);
            // 2. the next timer deadline bounds the poll
            long wait;
            if (tasks.hasWork() || state >= STOPPING || (until != null && until.isDone())) {
                wait = 0;
            } else {
                long untilTimer = timers.nanosUntilNext(ticker.nanoTime());
                wait = untilTimer < 0 ? maxWaitNanos
                        : maxWaitNanos < 0 ? untilTimer : Math.min(untilTimer, maxWaitNanos);
            }
            // 3. poll
            reactor.poll(wait);
            // 4. dispatch readiness to the waiting handlers
            work += reactor.dispatch();
            // 5. fire the timers that are due
            work += timers.fireExpired(ticker.nanoTime(), timerRunner);
            return work;
        } finally {
            if (outer != this) {
                CURRENT.set(outer);
            }
        }
    }

    private void run() {
        CURRENT.set(this);
        Throwable fatal = null;
        try {
            fatal = loop();
        } catch (Throwable t) {
            fatal = t; // a safety net let something through: the loop is dead, and says so below
        } finally {
            try {
                closeNow();
            } catch (Throwable t) {
                if (fatal == null && state < CLOSED) {
                    fatal = t;
                }
            }
            CURRENT.remove();
            if (fatal != null) {
                failed(fatal);
            }
        }
    }

    /**
     * Iterates until stopped. A failing iteration is reported and the loop goes on; but a loop
     * whose every iteration fails (a broken Poll, a clock that throws) cannot make progress, and
     * spinning on it would hide that: after {@value #MAX_FAILED_ITERATIONS} failures in a row it
     * returns the failure, and the loop ends as failed.
     *
     * @return null when stopped, else why the loop gave up
     */
    private Throwable loop() {
        int work = 0;
        int failures = 0;
        while (state < STOPPING) {
            if (Thread.interrupted()) {
                // A task (or a library it called) interrupted this thread, e.g. restoring the
                // status after catching InterruptedException. Clear it, or nio polls never block.
                reportError(new IllegalStateException("the thread of " + name
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
                    return new IllegalStateException(name + " stopped: " + failures
                            + " iterations in a row failed, the last with " + t, t);
                }
                if (failures <= 3) {
                    reportError(t); // one bad iteration does not kill the loop
                }
            }
        }
        return null;
    }

    /**
     * Records why the loop's thread ended abnormally, tells the runtime, then reports it; the
     * runtime first, since a report is the step that can fail.
     */
    private void failed(Throwable t) {
        failure = t;
        Consumer<Throwable> hook = onFailure;
        if (hook != null) {
            try {
                hook.accept(t);
            } catch (Throwable again) {
                LastResort.print("the failure hook of an event loop threw", again);
            }
        }
        LastResort.warn(LOG, "an event loop died; it no longer runs tasks or accepts connections: ", name, t);
    }

    /** Why this loop's thread ended abnormally (set once it has closed), or null. */
    Throwable failure() {
        return failure;
    }

    /** Called once, on the loop's thread, if it ends abnormally (set before {@link #start}). */
    void onFailure(Consumer<Throwable> hook) {
        this.onFailure = hook;
    }

    // ---- timers ----

    /**
     * Completes after {@code delay} (on the loop). Cancelling the future cancels the timer. If the
     * loop closes first, the future fails with a {@link java.nio.channels.ClosedChannelException}.
     */
    public CompletableFuture<Void> sleep(Duration delay) {
        SleepFuture f = new SleepFuture();
        f.timer = schedule(delay, f);
        return f;
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
        return addTimer(checkDelay(delay), 0, action);
    }

    /** Runs {@code action} every {@code period}, first after one period, until cancelled. */
    public TimerHandle interval(Duration period, Runnable action) {
        long p = checkDelay(period);
        if (p == 0) {
            throw new IllegalArgumentException("an interval needs a positive period");
        }
        return addTimer(p, p, action);
    }

    private TimerHandle addTimer(long delayNanos, long periodNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        TimerHandle t = new TimerHandle(this, action, ticker.nanoTime() + delayNanos, periodNanos, Task.current(this));
        if (inLoop()) {
            queueTimer(t);
        } else if (!executeQuietly(() -> queueTimer(t))) {
            dropTimer(t);
        }
        return t;
    }

    /** Queues {@code t} (loop thread), unless the loop is stopping: its timers never fire. */
    private void queueTimer(TimerHandle t) {
        if (state >= STOPPING) {
            dropTimer(t);
        } else {
            timers.add(t);
        }
    }

    /**
     * A timer that will never fire, because the loop stopped: it is cancelled, and a sleep fails
     * with the closed loop, so that a task or a virtual thread waiting on it does not wait forever.
     */
    private void dropTimer(TimerHandle t) {
        t.cancelled = true;
        if (t.action instanceof SleepFuture sleep) {
            sleep.completeExceptionally(LoopCalls.closedLoop(this));
        }
    }

    private static long checkDelay(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4; // ~73 years: never, in practice
        }
    }

    private void fireTimer(TimerHandle t) {
        Task prev = enter(t.owner);
        try {
            t.action.run();
        } catch (Throwable e) {
            reportError(e);
        } finally {
            exit(prev);
        }
    }

    TimerQueue timers() {
        return timers;
    }

    /**
     * The number of timers (sleeps, schedules, intervals) queued and neither fired nor cancelled:
     * for tests and monitoring, e.g. that the timers of abandoned requests were cancelled. Exact on
     * the loop's thread; from another thread a recent value, without synchronisation.
     */
    public int timerCount() {
        return timers.size();
    }

    // ---- low-level readiness API ----

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
        return reactor.register(source, interest, handler);
    }

    /** As {@link #register}, but what the loop closes at shutdown is {@code owner}. */
    Registration register(Source source, Interest interest, ReadyHandler handler, AutoCloseable owner) {
        Registration r = reactor.register(source, interest, handler);
        r.owner = owner;
        return r;
    }

    // ---- tasks and resources (loop thread) ----

    Task currentTask() {
        return current;
    }

    Task enter(Task t) {
        Task prev = current;
        current = t;
        return prev;
    }

    void exit(Task prev) {
        current = prev;
    }

    boolean isCancellingTasks() {
        return cancellingTasks;
    }

    void taskStarted(Task t) {
        live.started(t);
    }

    void taskDone(Task t) {
        live.done(t);
    }

    /** The number of spawned tasks that have not finished. Any thread. */
    public int taskCount() {
        return live.count();
    }

    void addListener(AutoCloseable l) {
        listeners.add(l);
    }

    void removeListener(AutoCloseable l) {
        listeners.remove(l);
    }

    /**
     * Where task failures and handler exceptions go; the loop keeps running. Never throws: an
     * error handler that throws is reported with the failure it was given on the plain path of
     * {@link LastResort}.
     */
    void reportError(Throwable t) {
        try {
            errorHandler.accept(this, t);
        } catch (Throwable again) {
            LastResort.print("the error handler of ", name, " threw", again);
            LastResort.print("uncaught failure on ", name, "", t);
        }
    }

    /** The default error handler: a warning, through {@link LastResort} (it cannot throw). */
    static void logError(EventLoop loop, Throwable t) {
        LastResort.warn(LOG, "uncaught failure on ", loop.name, t);
    }

    // ---- shutdown (see Runtime#shutdown) ----

    /** Stops accepting (closes the listeners); the future completes when no task is left. */
    CompletableFuture<Void> beginShutdown() {
        if (!executeQuietly(() -> {
            advanceTo(DRAINING);
            for (AutoCloseable l : new ArrayList<>(listeners)) {
                closeQuietly(l);
            }
        })) {
            live.closed();
        }
        return live.drain();
    }

    /** Cancels every task, started or still queued. */
    void cancelTasks() {
        executeQuietly(() -> {
            cancellingTasks = true;
            for (Task t : live.snapshot()) {
                t.cancelTask();
            }
        });
    }

    /**
     * Moves the state forward to {@code next}, never back. Other threads move it too (stop), so a
     * plain read-then-write could undo theirs: a drain that read OPEN and then wrote DRAINING over
     * a concurrent STOPPING left the loop asleep for good (seen in CI as a hung close()).
     */
    private void advanceTo(int next) {
        int s;
        do {
            s = state;
            if (s >= next) {
                return;
            }
        } while (!STATE.compareAndSet(this, s, next));
    }

    /** Asks the loop's thread to finish: it closes everything the loop owns on its way out. */
    void stop() {
        advanceTo(STOPPING);
        reactor.wakeup();
    }

    Thread thread() {
        return thread;
    }

    Reactor reactorForTests() {
        return reactor;
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
            closeNow();
            return;
        }
        if (Thread.currentThread() == t) {
            stop();
            return;
        }
        stop();
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the loop has closed. */
    public boolean isClosed() {
        return state == CLOSED;
    }

    private void closeNow() {
        if (state == CLOSED) {
            return;
        }
        advanceTo(STOPPING);
        cancellingTasks = true;
        for (Task t : live.snapshot()) {
            t.cancelTask();
        }
        for (AutoCloseable l : new ArrayList<>(listeners)) {
            closeQuietly(l);
        }
        timers.clear(this::dropTimer);
        // Work queued so far runs once more, against closed resources: futures it completes fail
        // instead of hanging their waiters.
        for (int round = 0; round < 8 && tasks.hasWork(); round++) {
            tasks.run(Integer.MAX_VALUE, errorSink);
        }
        advanceTo(CLOSED);
        reactor.closeNow();
        ArrayDeque<Runnable> late = tasks.drain();
        for (Runnable r : late) {
            try {
                r.run();
            } catch (Throwable e) {
                reportError(e);
            }
        }
        live.closed();
        if (ticker instanceof ManualTicker m) {
            m.removeListener(wake);
        }
    }

    /** Closes {@code c}; a failure goes to the error handler. */
    void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            reportError(e);
        }
    }

    @Override
    public String toString() {
        return "EventLoop{" + name + ", " + backend().id() + ", tasks=" + live.count()
                + (state == CLOSED ? ", closed}" : "}");
    }
}
