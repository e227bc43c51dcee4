package io.pollen.runtime;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that takes the wrappers off a future's failure: {@link CompletableFuture}
 * wraps a stage's exception in {@link CompletionException} when it passes through a dependent
 * stage or {@code join()}, and {@code get()} in {@link ExecutionException}.
 *
 * @see java.util.concurrent.CompletableFuture
 */
public final class Completions {
    private Completions() {
    }

    /**
     * The failure itself: {@code t} without any {@link CompletionException} or
     * {@link ExecutionException} around it (a wrapper without a cause is kept, it is all there is).
     * Never null for a non-null argument; null stays null.
     */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
