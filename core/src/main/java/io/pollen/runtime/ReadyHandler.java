package io.pollen.runtime;

/**
 * Receives readiness for one {@link Registration}: the low-level, allocation-free half of the
 * runtime, for protocol code that wants full speed (Pollen's HTTP server) and the building block
 * of the async I/O types.
 *
 * <p>{@link #ready} is called on the thread that runs the {@link Reactor} (the loop thread of an
 * {@link EventLoop}), once per event, with the event's readiness bits; test them with
 * {@link Readiness}. Readiness is edge-triggered: after being told "readable", keep reading until
 * the source would block, then wait for the next call. Spurious calls are allowed.
 *
 * <p>A handler must not block. An exception it throws goes to the loop's error handler; the loop
 * keeps running and the registration stays in place.
 */
@FunctionalInterface
public interface ReadyHandler {

    /**
     * The source became ready.
     *
     * @param readyFlags the readiness bits of the event; see {@link Readiness}
     */
    void ready(int readyFlags);

    /**
     * A handler that resumes {@code task} on {@code executor}: the decoupled shape, where the
     * reactor's thread only wakes tasks and they run elsewhere. One {@code execute} per event.
     */
    static ReadyHandler resumeOn(java.util.concurrent.Executor executor, java.util.function.IntConsumer task) {
        java.util.Objects.requireNonNull(executor, "executor");
        java.util.Objects.requireNonNull(task, "task");
        return flags -> executor.execute(() -> task.accept(flags));
    }
}
