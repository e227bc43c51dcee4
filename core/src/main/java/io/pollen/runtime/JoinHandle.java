package io.pollen.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The handle of a spawned task ({@link EventLoop#spawn}, {@link Runtime#spawn},
 * {@link Runtime#spawnVirtual}): a {@link CompletionStage} to compose, a {@link Future} to wait
 * on, and the way to cancel the task.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=join-handle}
 *
 * <h2>Cancellation</h2>
 * {@link #cancel} completes the handle with a {@link java.util.concurrent.CancellationException}
 * and cancels the task: every I/O object the task opened (sockets, listeners) is closed, which
 * fails whatever it was waiting on, and its registrations are released; a virtual-thread task is
 * also interrupted. Completing the handle from outside ({@link #complete},
 * {@link #completeExceptionally}, e.g. through {@link #orTimeout}) abandons the task the same way.
 * Code of a cancelled task that still runs (a virtual thread that ignores its interrupt) gets
 * what it opens closed at once, and its connects fail with a {@code CancellationException}. A
 * task whose result arrives just as it is cancelled is cancelled all the same: its I/O objects
 * are closed, not handed to nobody.
 *
 * <h2>Failures</h2>
 * A task that fails completes its handle exceptionally. If nobody observes the handle at that
 * moment (no dependent stage, no thread waiting), the failure also goes to the loop's error
 * handler, so that it is not lost; the loop keeps running either way. A {@code get()} called
 * after spawning may come after a quick failure, which is then reported too: to spawn and wait,
 * use {@link Runtime#blockOn} or {@link Runtime#blockOnVirtual}, which observe from the start.
 *
 * <h2>Threads</h2>
 * Dependent stages added with the non-async methods run on the thread that completes the handle:
 * the task's loop. The async methods without an executor also run on the loop. Blocking in
 * {@link #get()} or {@link #join()} on the loop's own thread would deadlock, so it throws
 * {@link IllegalStateException}; use composition there. Not guaranteed: that a task cancelled
 * while its code is running stops before its next suspension point — cancellation is cooperative,
 * it takes effect through the closed resources and the cancelled stage.
 */
public final class JoinHandle<T> extends CompletableFuture<T> {
    /** The task; its loop is this handle's (one field less per spawn). */
    private final Task task;

    JoinHandle(Task task) {
        this.task = task;
    }

    /** The loop the task belongs to (for a virtual task: the loop its I/O defaults to). */
    public EventLoop loop() {
        return task.loop;
    }

    /** Cancels the task; see the class docs. Any thread. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean first = !isDone();
        boolean result = super.cancel(mayInterruptIfRunning);
        if (first && result) {
            task.cancelTask();
        }
        return result;
    }

    /** Completes the handle from outside, abandoning (cancelling) the task. */
    @Override
    public boolean complete(T value) {
        boolean done = super.complete(value);
        if (done) {
            task.cancelTask();
        }
        return done;
    }

    /** Fails the handle from outside, abandoning (cancelling) the task. */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean done = super.completeExceptionally(ex);
        if (done) {
            task.cancelTask();
        }
        return done;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        checkNotOnLoop();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkNotOnLoop();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        checkNotOnLoop();
        return super.join();
    }

    /** The async methods default to the task's loop. */
    @Override
    public Executor defaultExecutor() {
        return task.loop;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    /** Marks the handle as observed (its failure will be seen by a waiter, not the error handler). */
    void observe() {
        whenComplete(NOTHING);
    }

    private static final java.util.function.BiConsumer<Object, Throwable> NOTHING = (v, e) -> { };

    // ---- completion by the task itself ----

    boolean succeed(T value) {
        return super.complete(value);
    }

    boolean fail(Throwable cause) {
        return super.completeExceptionally(cause);
    }

    boolean cancelled() {
        return super.cancel(false);
    }

    private void checkNotOnLoop() {
        if (!isDone() && task.loop.inLoop()) {
            throw new IllegalStateException("blocking on a JoinHandle on its own loop's thread would deadlock;"
                    + " compose with thenApply/thenCompose instead");
        }
    }
}
