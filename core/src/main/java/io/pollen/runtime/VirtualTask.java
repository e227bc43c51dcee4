package io.pollen.runtime;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * A blocking-style task on its own virtual thread. Its I/O calls hand work to a loop and park on
 * the returned future (a virtual thread parks without pinning its carrier); the loop's thread does
 * all the polling. Cancellation closes the task's I/O objects (failing whatever it waits on) and
 * interrupts the thread.
 */
final class VirtualTask<T> extends Task {
    static final ThreadLocal<VirtualTask<?>> CURRENT = new ThreadLocal<>();

    private final Callable<T> body;
    final JoinHandle<T> handle;
    private final Consumer<VirtualTask<?>> onDone;
    private volatile Thread thread;
    private volatile boolean cancelled;
    /** Completes when the body has returned or thrown, or the task was refused: it runs no more. */
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    VirtualTask(EventLoop loop, Callable<T> body, Consumer<VirtualTask<?>> onDone) {
        super(loop);
        this.body = body;
        this.onDone = onDone;
        this.handle = new JoinHandle<>(this);
    }

    void start(ThreadFactory factory) {
        Thread t = factory.newThread(this::runBody);
        thread = t;
        t.start();
    }

    /** Fails the handle of a task that will never start. */
    void refuse(Throwable cause) {
        handle.fail(cause);
        ended.complete(null);
    }

    private void runBody() {
        CURRENT.set(this);
        try {
            if (cancelled) {
                return;
            }
            T value = body.call();
            // Complete first, then decide: if a cancel won the handle meanwhile, the result's
            // resources go with the cancelled task instead of staying open for nobody.
            settle(handle.succeed(value));
        } catch (Throwable t) {
            settle(!cancelled && fail(handle, Completions.unwrap(t)));
        } finally {
            CURRENT.remove();
            onDone.accept(this);
            ended.complete(null);
        }
    }

    @Override
    void cancelTask() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        handle.cancelled();
        closeResources();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
