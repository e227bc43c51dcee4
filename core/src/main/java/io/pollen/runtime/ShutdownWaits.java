package io.pollen.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** The waits of {@link Runtime#shutdown(Duration)}: for its participants' drains and its tasks, within a deadline. */
final class ShutdownWaits {
    private ShutdownWaits() {
    }

    /** A participant's drain as a future that fails unless it finished well. */
    static CompletableFuture<Void> drained(Function<Duration, ? extends CompletionStage<?>> d, Duration left) {
        try {
            return d.apply(left).toCompletableFuture().thenAccept(v -> {
                if (Boolean.FALSE.equals(v)) {
                    throw new CompletionException(new TimeoutException("drain did not finish"));
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Waits until every future completed (true), or until {@code end} ({@link System#nanoTime()})
     * passed, one failed, or the caller was interrupted (false; the interrupt status is kept).
     */
    static boolean awaitAll(List<CompletableFuture<Void>> fs, long end) {
        try {
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
