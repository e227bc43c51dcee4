package io.pollen.runtime;

import java.util.concurrent.Callable;
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

    VirtualTask(EventLoop loop, Callable<T> body, Consumer<VirtualTask<?>> onDone) {
        super(loop);
        this.body = body;
        this.onDone = onDone;
        this.handle = new JoinHandle<>(loop, this);
    }

    void start(Thread.Builder.OfVirtual builder) {
        Thread t = builder.unstarted(this::runBody);
        thread = t;
        t.start();
    }

    Thread thread() {
        return thread;
    }

    private void runBody() {
        CURRENT.set(this);
        try {
            if (cancelled) {
                return;
            }
            T value = body.call();
            disownAll();
            handle.succeed(value);
        } catch (Throwable t) {
            disownAll();
            if (!cancelled) {
                fail(handle, unwrap(t));
            }
        } finally {
            CURRENT.remove();
            onDone.accept(this);
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
