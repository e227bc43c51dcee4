package io.pollen.runtime;

import java.util.concurrent.CompletableFuture;

/** The future of {@link EventLoop#sleep}: completed by its timer; cancelling it cancels the timer. */
final class SleepFuture extends CompletableFuture<Void> implements Runnable {
    TimerHandle timer;

    @Override
    public void run() {
        complete(null);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean c = super.cancel(mayInterruptIfRunning);
        TimerHandle t = timer;
        if (c && t != null) {
            t.cancel();
        }
        return c;
    }
}
