package io.pollen.runtime;

/** Joining a thread until it has ended: written once for the loops, the reactor and the runtime. */
final class Threads {
    private Threads() {
    }

    /**
     * Waits until {@code t} has ended, interrupted or not; the caller's interrupt status is kept
     * (set again on the way out if an interrupt came meanwhile). A close or shutdown that returned
     * must leave no thread of its own running, whatever the caller's status.
     */
    static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
