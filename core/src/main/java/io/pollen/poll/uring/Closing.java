package io.pollen.poll.uring;

import java.io.IOException;

/**
 * Releasing several kernel objects where each must be tried even when an earlier one failed: the
 * first failure is kept and rethrown at the end, later ones added to it as suppressed.
 */
final class Closing {
    /** One release step. */
    interface Step {
        void run() throws IOException;
    }

    private IOException first;

    /** Runs {@code step}, keeping its failure. */
    void run(Step step) {
        try {
            step.run();
        } catch (IOException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        } catch (RuntimeException e) {
            if (first == null) {
                first = new IOException(e);
            } else {
                first.addSuppressed(e);
            }
        }
    }

    /** Throws the first failure, if any. */
    void rethrow() throws IOException {
        if (first != null) {
            throw first;
        }
    }

    /** Runs {@code step} while unwinding from {@code cause}, which gets its failure as suppressed. */
    static void quietly(Step step, Exception cause) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
