package io.pollen.runtime;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link EventLoop#timeout}: a stage raced against a timer of its loop. */
final class Timeouts {
    private Timeouts() {
    }

    static <T> CompletableFuture<T> limit(EventLoop loop, CompletionStage<T> stage, Duration limit) {
        CompletableFuture<T> result = new CompletableFuture<>();
        AtomicBoolean timedOut = new AtomicBoolean();
        TimerHandle timer = loop.schedule(limit, () -> {
            if (result.isDone() || !timedOut.compareAndSet(false, true)) {
                return;
            }
            // Cancel first, so that whoever sees the TimeoutException also sees the stage
            // cancelled (for a JoinHandle: the task's sockets closed).
            try {
                CompletableFuture<T> cf = stage.toCompletableFuture();
                if (!cf.cancel(true) && !cf.isCancelled()) {
                    return; // it finished just now, on another thread: its outcome stands
                }
            } catch (UnsupportedOperationException ignored) {
                // Not cancellable: the result fails; the stage ends on its own.
            }
            result.completeExceptionally(new TimeoutException("timed out after " + limit));
        });
        stage.whenComplete((v, e) -> {
            timer.cancel();
            Throwable error = e == null ? null : Completions.unwrap(e);
            if (error == null) {
                result.complete(v);
            } else if (!(timedOut.get() && error instanceof CancellationException)) {
                result.completeExceptionally(error); // not the cancel of our own timeout
            }
        });
        return result;
    }
}
