package io.pollen.bench.scale;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tally of one load run, safe to update from any thread: how many requests got a 200 with the
 * expected body, how many failed (and the first failure, to print), and the slowest request.
 */
final class Outcome {
    final int requests;
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    final AtomicLong slowestNanos = new AtomicLong();
    final AtomicLong fastestNanos = new AtomicLong(Long.MAX_VALUE);

    Outcome(int requests) {
        this.requests = requests;
    }

    void success(long startNanos) {
        ok.incrementAndGet();
        long took = System.nanoTime() - startNanos;
        slowestNanos.accumulateAndGet(took, Math::max);
        fastestNanos.accumulateAndGet(took, Math::min);
    }

    void failure(Throwable t) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, t);
    }

    void failure(String message) {
        failure(new IllegalStateException(message));
    }

    int done() {
        return ok.get() + failed.get();
    }
}
