package io.pollen.runtime;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How the async I/O types are called from any thread but run on their loop: an operation started
 * off the loop is handed to it, and its outcome relayed to the caller's future (which a virtual
 * thread may park on). Also: completing a future in the context of the task that waits on it, so
 * that its continuation's new resources belong to that task.
 */
final class LoopCalls {
    private LoopCalls() {
    }

    /** Runs {@code op} on {@code loop} and returns its future (relayed if called off the loop). */
    static <T> CompletableFuture<T> onLoop(EventLoop loop, Supplier<CompletableFuture<T>> op) {
        if (loop.inLoop()) {
            return op.get();
        }
        CompletableFuture<T> relay = new CompletableFuture<>();
        boolean queued = loop.executeQuietly(() -> {
            CompletableFuture<T> inner;
            try {
                inner = op.get();
            } catch (Throwable t) {
                relay.completeExceptionally(t);
                return;
            }
            inner.whenComplete((v, e) -> {
                if (e != null) {
                    relay.completeExceptionally(Completions.unwrap(e));
                } else {
                    relay.complete(v);
                }
            });
            // Giving up on the relay (a timeout, a cancelled task) gives up on the operation.
            relay.whenComplete((v, e) -> {
                if (relay.isCancelled()) {
                    inner.cancel(false);
                }
            });
        });
        if (!queued) {
            relay.completeExceptionally(closedLoop(loop));
        }
        return relay;
    }

    static ClosedChannelException closedLoop(EventLoop loop) {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(new IllegalStateException(loop.name() + " is closed"));
        return e;
    }

    static <T> CompletableFuture<T> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }

    /** Completes {@code f} with {@code value} while {@code task} is the loop's current task. */
    static <T> void complete(EventLoop loop, Task task, CompletableFuture<T> f, T value) {
        Task prev = loop.core().enter(task);
        try {
            f.complete(value);
        } finally {
            loop.core().exit(prev);
        }
    }

    /** Fails {@code f} with {@code error} while {@code task} is the loop's current task. */
    static void fail(EventLoop loop, Task task, CompletableFuture<?> f, Throwable error) {
        Task prev = loop.core().enter(task);
        try {
            f.completeExceptionally(error);
        } finally {
            loop.core().exit(prev);
        }
    }
}
