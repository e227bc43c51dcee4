package io.pollen.testing;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/** Test helper: an async semaphore for one loop's tasks (loop thread only). */
public final class AsyncPermits {
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int available;

    public AsyncPermits(int permits) {
        this.available = permits;
    }

    public CompletableFuture<Void> acquire() {
        if (available > 0) {
            available--;
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiting.add(f);
        return f;
    }

    public void release() {
        CompletableFuture<Void> next = waiting.poll();
        if (next != null) {
            next.complete(null);
        } else {
            available++;
        }
    }
}
