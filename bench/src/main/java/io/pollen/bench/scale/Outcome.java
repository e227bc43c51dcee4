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
    /** Completions per half second since {@link #clockStart}: where the time went, at a glance. */
    final java.util.concurrent.atomic.AtomicIntegerArray completedPerHalfSecond =
            new java.util.concurrent.atomic.AtomicIntegerArray(240);
    volatile long clockStart = System.nanoTime();

    Outcome(int requests) {
        this.requests = requests;
    }

    void success(long startNanos) {
        ok.incrementAndGet();
        long now = System.nanoTime();
        int slot = (int) Math.min(completedPerHalfSecond.length() - 1, (now - clockStart) / 500_000_000L);
        completedPerHalfSecond.incrementAndGet(slot);
        long took = now - startNanos;
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

    /** "0.0s:0 0.5s:0 1.0s:3120 ..." up to the last non-empty half second. */
    String profile() {
        int last = 0;
        for (int i = 0; i < completedPerHalfSecond.length(); i++) {
            if (completedPerHalfSecond.get(i) > 0) {
                last = i;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= last; i++) {
            sb.append(sb.isEmpty() ? "" : " ").append(i / 2).append(i % 2 == 0 ? ".0s:" : ".5s:")
                    .append(completedPerHalfSecond.get(i));
        }
        return sb.toString();
    }
}
