package io.pollen.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT taken as a request to stop, for {@code pollen serve}: the first one counts
 * down a latch (the command then drains and returns 0), a second one runs a "stop now" action.
 *
 * <p>Why {@code sun.misc.Signal} (module jdk.unsupported, exported on purpose for this use) and
 * not a shutdown hook: on a signal the JVM runs its hooks and then exits with 128 + the signal
 * number (143 for SIGTERM), whatever the hooks did; handling the signal keeps the exit status ours.
 * A signal the platform does not have, or that the JVM keeps ({@code -Xrs}), is skipped: then the
 * JVM's default applies (the caller's shutdown hook closes the server, and the exit is 128 + n).
 *
 * <p>Handlers run on a thread of the JVM's own; {@link #restore()} puts the previous handlers back.
 */
final class StopSignals {
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final CountDownLatch stop;
    private final Runnable stopNow;
    private String received;

    private StopSignals(CountDownLatch stop, Runnable stopNow) {
        this.stop = stop;
        this.stopNow = stopNow;
    }

    /** Handles SIGTERM and SIGINT from now on (those that can be handled here). */
    static StopSignals install(CountDownLatch stop, Runnable stopNow) {
        StopSignals s = new StopSignals(stop, stopNow);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal signal = new Signal(name);
                s.previous.put(signal, Signal.handle(signal, s::handle));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // unknown here, or reserved by the JVM: the default behaviour stays
            }
        }
        return s;
    }

    private void handle(Signal signal) {
        boolean first;
        synchronized (this) {
            first = received == null;
            if (first) {
                received = signal.getName();
            }
        }
        if (first) {
            stop.countDown();
        } else {
            stopNow.run();
        }
    }

    /** The name of the first signal received ("TERM", "INT"), or null if none came. */
    synchronized String received() {
        return received;
    }

    /** Puts the previous handlers back. Idempotent. */
    void restore() {
        previous.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                // cannot happen for a signal that was handled; nothing to undo
            }
        });
        previous.clear();
    }
}
