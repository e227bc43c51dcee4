package io.pollen.runtime;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * An async task spawned on an {@link EventLoop}: runs its body on the loop, then follows the
 * stage the body returned until it completes, and completes the {@link JoinHandle}.
 * Loop thread only, except {@link #accept} (a stage may complete anywhere) and
 * {@link #cancelTask} (hands itself to the loop).
 */
final class LoopTask<T> extends Task implements Runnable, BiConsumer<T, Throwable> {
    /** The task's code; its class names the task in a blocked-loop report. */
    final Supplier<? extends CompletionStage<T>> body;
    final JoinHandle<T> handle;
    private CompletionStage<T> stage;
    private boolean finished;

    LoopTask(EventLoop loop, Supplier<? extends CompletionStage<T>> body) {
        super(loop);
        this.body = body;
        this.handle = new JoinHandle<>(this);
    }

    /** Starts the task: runs the body with this task as the loop's current task. */
    @Override
    public void run() {
        if (handle.isDone() || loop.core().isCancellingTasks()) {
            complete(null, new CancellationException()); // cancelled before it started
            return;
        }
        Task prev = loop.core().enter(this);
        try {
            stage = body.get();
            if (stage == null) {
                throw new NullPointerException("the task returned a null CompletionStage");
            }
        } catch (Throwable t) {
            complete(null, t);
            return;
        } finally {
            loop.core().exit(prev);
        }
        // A task that finished synchronously needs no callback (and no allocation for one).
        if (stage instanceof CompletableFuture<T> cf && cf.isDone()) {
            if (cf.isCompletedExceptionally()) {
                Throwable error;
                try {
                    error = cf.exceptionNow();
                } catch (IllegalStateException cancelled) {
                    error = new CancellationException();
                }
                complete(null, error);
            } else {
                complete(cf.resultNow(), null);
            }
            return;
        }
        // Still running: only now is it listed as live, so a task that finished synchronously (the
        // case above) costs no list bookkeeping. Nothing could look for it while its body ran
        // except a forced shutdown that body itself began: it missed the task, so cancel it here.
        if (finished) {
            return; // it cancelled itself
        }
        loop.liveTasks().started(this);
        if (loop.core().isCancellingTasks()) {
            cancelTask();
            return;
        }
        stage.whenComplete(this);
    }

    /** The task's stage completed (on any thread). */
    @Override
    public void accept(T value, Throwable error) {
        if (!loop.inLoop()) {
            if (!loop.executeQuietly(() -> accept(value, error))) {
                complete(value, error);
            }
            return;
        }
        complete(value, error);
    }

    private void complete(T value, Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        loop.liveTasks().done(this); // before the handle: whoever sees it complete sees the task gone
        // Complete first, then decide: a cancel from another thread may have completed the handle
        // already (its own clean-up is still queued behind this): then the resources are closed.
        boolean completed = error == null ? handle.succeed(value) : fail(handle, Completions.unwrap(error));
        if (completed && loop.inLoop()) {
            disownAllOnOwnerThread(); // the usual case: no lock
        } else {
            settle(completed);
        }
    }

    @Override
    void cancelTask() {
        if (!loop.inLoop()) {
            if (!loop.executeQuietly(this::cancelTask)) {
                closeResources();
            }
            return;
        }
        if (finished) {
            return;
        }
        finished = true;
        handle.cancelled();
        closeResources();
        loop.liveTasks().done(this);
        if (stage != null) {
            try {
                stage.toCompletableFuture().cancel(false);
            } catch (UnsupportedOperationException ignored) {
                // A stage that cannot be cancelled: its resources are closed, which ends it.
            }
        }
    }
}
