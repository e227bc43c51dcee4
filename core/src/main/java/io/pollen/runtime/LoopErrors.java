package io.pollen.runtime;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Where one {@link EventLoop}'s failures go: a task's failure, a handler's exception, a failing
 * close, a blocked-loop report ({@link LoopBlockedException}), and, if it comes to that, the
 * loop's own death. Reporting never throws: an error handler that throws is reported with the
 * failure it was given on the plain path of {@link LastResort}.
 */
final class LoopErrors {
    private static final System.Logger LOG = System.getLogger("io.pollen.runtime");

    static {
        LastResort.preload(); // its first use may come when no descriptor is free to load it
    }

    /** The loop whose failures these are. */
    private final EventLoop loop;
    /** The runtime's (or the opener's) error handler. */
    private final BiConsumer<EventLoop, Throwable> handler;
    /** Told once if the loop's thread ends abnormally (the runtime marks itself failed). */
    private volatile Consumer<Throwable> onFailure;
    /** Why the loop's thread ended abnormally, or null. */
    private volatile Throwable failure;

    LoopErrors(EventLoop loop, BiConsumer<EventLoop, Throwable> handler) {
        this.loop = loop;
        this.handler = handler;
    }

    /** Hands {@code t} to the error handler; the loop keeps running. Any thread; never throws. */
    void report(Throwable t) {
        try {
            handler.accept(loop, t);
        } catch (Throwable again) {
            LastResort.print("the error handler of ", loop.name(), " threw", again);
            LastResort.print("uncaught failure on ", loop.name(), "", t);
        }
    }

    /** Closes {@code c}; a failure is reported. */
    void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            report(e);
        }
    }

    /**
     * Records why the loop's thread ended abnormally, tells the runtime, then reports it; the
     * runtime first, since a report is the step that can fail.
     */
    void failed(Throwable t) {
        failure = t;
        Consumer<Throwable> hook = onFailure;
        if (hook != null) {
            try {
                hook.accept(t);
            } catch (Throwable again) {
                LastResort.print("the failure hook of an event loop threw", again);
            }
        }
        LastResort.warn(LOG, "an event loop died; it no longer runs tasks or accepts connections: ", loop.name(), t);
    }

    /** Why the loop's thread ended abnormally (set once it has closed), or null. */
    Throwable failure() {
        return failure;
    }

    /** Called once, on the loop's thread, if it ends abnormally (set before the loop starts). */
    void onFailure(Consumer<Throwable> hook) {
        this.onFailure = hook;
    }

    /** The default error handler: a warning, through {@link LastResort} (it cannot throw). */
    static void logError(EventLoop loop, Throwable t) {
        LastResort.warn(LOG, "uncaught failure on ", loop.name(), t);
    }
}
