package io.pollen.runtime;

import io.pollen.poll.Backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Wires reactors and executors: N {@link EventLoop}s, each on its own platform thread
 * (thread-per-core), plus virtual threads for blocking-style tasks.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=runtime}
 *
 * <p>A server spreads connections over the loops with one {@code SO_REUSEPORT} listener per loop
 * ({@link AsyncTcpListener#bind(EventLoop, java.net.InetSocketAddress, int, boolean)}), or with
 * one acceptor handing each stream to {@link #next()} ({@link AsyncTcpListener#accept(EventLoop)}).
 *
 * <p>Threads are named {@code <prefix>-loop-<i>} and {@code <prefix>-vt-<n>}.
 * {@link #shutdown(Duration)} stops the listeners, lets tasks finish until the deadline, cancels the
 * rest, closes every socket and joins every thread. A loop that dies on its own marks the runtime
 * {@linkplain #isFailed() failed} ({@link #failure()}). Not guaranteed: which loop {@link #spawn}
 * picks, beyond round-robin.
 */
public final class Runtime implements Executor, AutoCloseable {
    /** The default of {@link Builder#blockedThreshold}: a loop held this long is reported. */
    public static final Duration DEFAULT_BLOCKED_THRESHOLD = Duration.ofMillis(100);

    /** The deadline {@link #close()} gives tasks to finish. */
    public static final Duration DEFAULT_SHUTDOWN_DEADLINE = Duration.ofSeconds(5);
    /** How long past the deadline shutdown waits for participants to finish closing (see {@link #onShutdown}). */
    private static final long PARTICIPANT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final List<EventLoop> loops;
    private final String prefix;
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** A builder's factory, unlike the builder itself, may be used by many threads at once. */
    private final ThreadFactory virtualThreads;
    private final Set<VirtualTask<?>> virtualTasks = ConcurrentHashMap.newKeySet();
    private final List<Function<Duration, ? extends CompletionStage<?>>> drains = new CopyOnWriteArrayList<>();
    private volatile boolean shuttingDown;
    private Boolean shutdownResult;
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();

    private Runtime(Builder b) throws IOException {
        this.prefix = b.prefix;
        this.virtualThreads = Thread.ofVirtual().name(b.prefix + "-vt-", 0).factory();
        List<EventLoop> made = new ArrayList<>(b.loops);
        try {
            for (int i = 0; i < b.loops; i++) {
                EventLoop loop = EventLoop.create(b.prefix + "-loop-" + i, b.backend, b.ticker, b.errorHandler, b.budget,
                        b.blockedNanos);
                loop.errors().onFailure(failure::complete);
                made.add(loop);
            }
        } catch (IOException | RuntimeException e) {
            made.forEach(EventLoop::close);
            throw e;
        }
        this.loops = List.copyOf(made);
        loops.forEach(EventLoop::start);
    }

    /** One loop on {@link Backend#select()}. */
    public static Runtime create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The loops, in index order. */
    public List<EventLoop> loops() {
        return loops;
    }

    /** Every loop's statistics, in index order; see {@link LoopStats}. */
    public List<LoopStats> stats() {
        return loops.stream().map(EventLoop::stats).toList();
    }

    /** The next loop, round-robin. */
    public EventLoop next() {
        return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    }

    public Backend backend() {
        return loops.getFirst().backend();
    }

    /** Runs {@code task} on {@link #next()}. */
    @Override
    public void execute(Runnable task) {
        next().execute(task);
    }

    /** Spawns an async task on {@link #next()}; see {@link EventLoop#spawn}. */
    public <T> JoinHandle<T> spawn(Supplier<? extends CompletionStage<T>> task) {
        return next().spawn(task);
    }

    /**
     * Runs blocking-style code on a new virtual thread. Its I/O objects are the async ones;
     * {@code join()}ing their futures parks the virtual thread until the loop completes them.
     * Cancelling the handle closes the I/O objects the task opened and interrupts it. A failure
     * that comes before anyone waits on the handle also goes to the error handler (see
     * {@link JoinHandle}); to wait for the result right away, {@link #blockOnVirtual} says so
     * from the start.
     */
    public <T> JoinHandle<T> spawnVirtual(Callable<T> task) {
        return spawnVirtual(task, false);
    }

    /**
     * Runs blocking-style code on a new virtual thread and waits for its result: the virtual-thread
     * twin of {@link #blockOn}. Its failure is this call's, never reported as uncaught. An
     * interrupt of the waiting thread cancels the task.
     *
     * @throws ExecutionException with the task's failure as its cause
     */
    public <T> T blockOnVirtual(Callable<T> task) throws ExecutionException, InterruptedException {
        return await(spawnVirtual(task, true));
    }

    private <T> JoinHandle<T> spawnVirtual(Callable<T> task, boolean observed) {
        Objects.requireNonNull(task, "task");
        VirtualTask<T> t = new VirtualTask<>(next(), task, virtualTasks::remove);
        if (observed) {
            t.handle.observe();
        }
        // Listed first, checked second: a shutdown that began meanwhile either sees the task in
        // its list (and waits for it) or is seen here (and the task never starts).
        virtualTasks.add(t);
        if (shuttingDown) {
            virtualTasks.remove(t);
            t.refuse(new RejectedExecutionException("the runtime is shutting down"));
            return t.handle;
        }
        t.start(virtualThreads);
        return t.handle;
    }

    /**
     * Runs an async task to completion from a plain thread (not a loop thread) and returns its
     * result.
     *
     * @throws ExecutionException with the task's failure as its cause
     */
    public <T> T blockOn(Supplier<? extends CompletionStage<T>> task) throws ExecutionException, InterruptedException {
        return await(next().spawn(task, true));
    }

    private static <T> T await(JoinHandle<T> h) throws ExecutionException, InterruptedException {
        try {
            return h.get();
        } catch (InterruptedException e) {
            h.cancel(true);
            throw e;
        }
    }

    /**
     * Adds a participant to the graceful {@link #shutdown(Duration)}: a server built on this
     * runtime that has work of its own to finish (an {@code HttpServer} registers itself, to answer
     * its requests in flight). Shutdown calls {@code drain} first, on the calling thread, with the
     * time left until its deadline, and waits for the returned stage, within the deadline, as it
     * waits for tasks. A stage that fails, or completes with {@link Boolean#FALSE}, counts as work
     * that did not finish in time. A participant is expected to close what it has left at the
     * deadline it was given; shutdown waits up to a second more for its stage before it stops the
     * loops. Any thread.
     *
     * @return an action that removes the participant again (e.g. when the server closes first)
     */
    public Runnable onShutdown(Function<Duration, ? extends CompletionStage<?>> drain) {
        Objects.requireNonNull(drain, "drain");
        drains.add(drain);
        return () -> drains.remove(drain);
    }

    /**
     * Graceful shutdown: asks the {@linkplain #onShutdown participants} to drain and closes every
     * listener (no new connections), waits until every participant and task has
     * finished or {@code deadline} has passed, then cancels the tasks left, closes every socket
     * the loops own and their Polls, and joins every thread. Idempotent. An interrupt of the
     * caller cuts the graceful wait short (the tasks left are cancelled), but the loops are still
     * closed and joined before this returns; the interrupt status is kept.
     *
     * @return true if every task finished by itself before the deadline
     * @throws IllegalStateException on one of this runtime's loop threads or virtual tasks, which
     *         would wait for itself
     */
    public synchronized boolean shutdown(Duration deadline) {
        if (shutdownResult != null) {
            return shutdownResult;
        }
        if (calledFromOwnTask()) {
            throw new IllegalStateException("shutdown on one of the runtime's own threads would wait for itself;"
                    + " call it from another thread, e.g. Thread.ofPlatform().start(runtime::close)");
        }
        shuttingDown = true;
        long end = System.nanoTime() + Math.max(0, deadline.toNanos());
        List<CompletableFuture<Void>> participants = new ArrayList<>();
        for (Function<Duration, ? extends CompletionStage<?>> d : drains) {
            participants.add(ShutdownWaits.drained(d, Duration.ofNanos(Math.max(0, end - System.nanoTime()))));
        }
        List<CompletableFuture<Void>> idle = new ArrayList<>(participants);
        for (EventLoop l : loops) {
            idle.add(l.beginShutdown());
        }
        List<VirtualTask<?>> virtual = new ArrayList<>(virtualTasks);
        virtual.forEach(t -> idle.add(t.ended));
        boolean graceful = ShutdownWaits.awaitAll(idle, end);
        if (!graceful) {
            // A participant closes what is left at the same deadline, on its loops: let it, before
            // the loops stop under it (a handler would otherwise fail with the closed loop).
            ShutdownWaits.awaitAll(participants.stream().map(f -> f.exceptionally(e -> null)).toList(),
                    System.nanoTime() + PARTICIPANT_GRACE_NANOS);
            loops.forEach(EventLoop::cancelTasks);
            virtual.forEach(VirtualTask::cancelTask);
        }
        loops.forEach(EventLoop::stop);
        for (EventLoop l : loops) {
            Threads.joinUninterruptibly(l.thread());
        }
        // A cancelled virtual task was interrupted, its sockets closed and its sleeps failed; it
        // ends at its next I/O call. Give it a moment.
        ShutdownWaits.awaitAll(virtual.stream().map(t -> t.ended).toList(), System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        shutdownResult = graceful;
        return graceful;
    }

    /** {@link #shutdown} with {@link #DEFAULT_SHUTDOWN_DEADLINE}. */
    @Override
    public void close() {
        shutdown(DEFAULT_SHUTDOWN_DEADLINE);
    }

    public boolean isShutdown() {
        return shuttingDown;
    }

    /**
     * Whether one of the loops has died: its thread ended without being asked to (see
     * {@link EventLoop}'s "Failures"). Its sockets are closed and it runs nothing more, while the
     * other loops go on; a process should treat this as fatal and exit non-zero, so that its
     * supervisor restarts it ({@code pollen serve} does).
     */
    public boolean isFailed() {
        return failure.isDone();
    }

    /**
     * Completes with what ended the first loop that died (see {@link #isFailed()}). Never
     * completes while the loops run, nor by a shutdown: a caller waiting for either a stop or a
     * failure waits on both. Each call returns a new future, so completing it changes nothing here.
     */
    public CompletableFuture<Throwable> failure() {
        return failure.copy();
    }

    /** Whether the caller is one of this runtime's loop threads or virtual tasks. */
    private boolean calledFromOwnTask() {
        EventLoop current = EventLoop.current();
        VirtualTask<?> task = VirtualTask.CURRENT.get();
        return (current != null && loops.contains(current)) || (task != null && virtualTasks.contains(task));
    }

    @Override
    public String toString() {
        return "Runtime{" + prefix + ", " + loops.size() + " loops, " + backend().id()
                + (shuttingDown ? ", shut down}" : "}");
    }

    /** Configures a {@link Runtime}. */
    public static final class Builder {
        private Backend backend;
        private int loops = 1;
        private String prefix = "pollen";
        private BiConsumer<EventLoop, Throwable> errorHandler = LoopErrors::logError;
        private Ticker ticker = Ticker.system();
        private int budget = EventLoop.DEFAULT_BUDGET;
        private long blockedNanos = DEFAULT_BLOCKED_THRESHOLD.toNanos();

        private Builder() {
        }

        /** The backend of every loop; default {@link Backend#select()}. */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** The number of loops (threads); default 1. */
        public Builder loops(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("loops must be >= 1: " + n);
            }
            this.loops = n;
            return this;
        }

        /**
         * One loop per available processor ({@link java.lang.Runtime#availableProcessors()}, read
         * now: a container's CPU limit counts), the usual size for a server that spreads its
         * connections over the loops. Replaces an earlier {@link #loops(int)}.
         */
        public Builder loopPerCore() {
            return loops(java.lang.Runtime.getRuntime().availableProcessors());
        }

        /** Thread names start with this; default {@code pollen}. */
        public Builder threadNamePrefix(String prefix) {
            if (prefix == null || prefix.isBlank()) {
                throw new IllegalArgumentException("a thread name prefix is needed");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Receives uncaught task failures and handler exceptions; default: logged as warnings
         * (falling back to a plain stderr line when logging fails). A handler that throws is
         * reported on that plain path and the loop goes on.
         */
        public Builder errorHandler(BiConsumer<EventLoop, Throwable> handler) {
            this.errorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** The clock of every loop's timers; default {@link Ticker#system()}. */
        public Builder clock(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** How many queued tasks a loop runs per iteration before it polls again; default 512. */
        public Builder taskBudget(int budget) {
            if (budget < 1) {
                throw new IllegalArgumentException("budget must be >= 1: " + budget);
            }
            this.budget = budget;
            return this;
        }

        /**
         * When one stretch of work (a task, a handler, a timer action, or a run of them without
         * a poll between) holds a loop this long, the loop is reported: a
         * {@link LoopBlockedException} with the loop thread's stack goes to the
         * {@linkplain #errorHandler error handler}, and a JFR event {@code io.pollen.LoopBlocked}
         * is recorded; iterations this long are recorded as {@code io.pollen.LoopIteration}.
         * Default {@link #DEFAULT_BLOCKED_THRESHOLD}; {@link Duration#ZERO} turns the watchdog off.
         */
        public Builder blockedThreshold(Duration threshold) {
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("negative blocked threshold: " + threshold);
            }
            this.blockedNanos = threshold.toNanos();
            return this;
        }

        /** Opens the loops and starts their threads. */
        public Runtime build() {
            if (backend == null) {
                backend = Backend.select();
            }
            try {
                return new Runtime(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the event loops", e);
            }
        }
    }
}
