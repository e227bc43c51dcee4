package io.pollen.runtime;

import java.time.Duration;

/**
 * What one {@link EventLoop} has done since it opened: a snapshot, read with
 * {@link EventLoop#stats()} or {@link Runtime#stats()}.
 *
 * <p>The counters are written by the loop's thread without synchronisation (they cost the loop
 * nothing but a plain add); a snapshot taken from another thread while the loop runs is a recent
 * view, not an atomic one: counters may be from slightly different moments.
 *
 * @param loop             the loop's name
 * @param iterations       loop iterations run
 * @param tasksRun         tasks run (spawned tasks, continuations, {@code execute}d runnables)
 * @param polls            driver runs (each waits at most until the next timer, or only looks)
 * @param events           readiness (or completion) reports dispatched to handlers
 * @param timersFired      timers fired
 * @param queueDepth       tasks queued at the moment of the snapshot
 * @param longestIteration the longest time the loop spent busy between two waits: from the end of one
 *                         (its handlers included) to the start of the next
 * @param blockedReports   how many times the loop was reported blocked (see
 *                         {@link Runtime.Builder#blockedThreshold})
 * @param kernelCalls      system calls the loop's driver made to submit and wait: on io_uring its
 *                         {@code io_uring_enter} calls, which are all the loop's calls for TCP I/O
 *                         (one call submits the iteration's sends and waits); on a readiness backend
 *                         its waits only ({@code epoll_wait}...: one per poll), the sockets' own
 *                         reads and writes not counted. Divide by requests served for a
 *                         benchmark's calls per request
 */
public record LoopStats(String loop, long iterations, long tasksRun, long polls, long events, long timersFired,
                        int queueDepth, Duration longestIteration, long blockedReports, long kernelCalls) {

    /** One line for logs and {@code pollen serve --stats}. */
    @Override
    public String toString() {
        return loop + ": iterations=" + iterations + " tasks=" + tasksRun + " polls=" + polls + " events=" + events
                + " timers=" + timersFired + " queued=" + queueDepth + " longest="
                + String.format(java.util.Locale.ROOT, "%.3fms", longestIteration.toNanos() / 1e6)
                + " blocked=" + blockedReports + " kernelCalls=" + kernelCalls;
    }
}
