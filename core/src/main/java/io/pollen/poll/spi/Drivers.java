package io.pollen.poll.spi;

import io.pollen.poll.Backend;

import java.io.IOException;
import java.util.Objects;

/**
 * Opens the {@link Driver} of a backend. The readiness driver lives beside {@code Poll} (it
 * registers sources through a {@code Registry}, whose insides are not public), so the
 * {@code io.pollen.poll} package installs its factory here when {@link Backend} is initialised —
 * which has happened by the time anyone holds a {@code Backend} to pass in.
 */
public final class Drivers {
    /** Opens a driver for a backend. */
    @FunctionalInterface
    public interface Factory {
        Driver open(Backend backend, int eventCapacity, boolean completions) throws IOException;
    }

    /** The factory {@code io.pollen.poll} installed; set once, before the first {@link #open}. */
    private static volatile Factory factory;

    private Drivers() {
    }

    /** Called once by {@code io.pollen.poll.Backend}'s initialiser. */
    public static void install(Factory f) {
        factory = Objects.requireNonNull(f, "factory");
    }

    /**
     * Opens a driver on {@code backend} that collects up to {@code eventCapacity} reports per
     * {@link Driver#run}.
     *
     * @throws UnsupportedOperationException if the backend is not available here
     */
    public static Driver open(Backend backend, int eventCapacity) throws IOException {
        return open(backend, eventCapacity, true);
    }

    /**
     * A readiness driver on {@code backend} even where it has a completion driver (io_uring): for
     * an owner whose sockets are read and written by other threads than the one running the
     * driver (the chapter's decoupled {@code Reactor}), which a completion driver's per-socket
     * state, owned by the running thread, cannot serve.
     */
    public static Driver openReadiness(Backend backend, int eventCapacity) throws IOException {
        return open(backend, eventCapacity, false);
    }

    private static Driver open(Backend backend, int eventCapacity, boolean completions) throws IOException {
        Objects.requireNonNull(backend, "backend");
        if (eventCapacity < 1) {
            throw new IllegalArgumentException("eventCapacity must be >= 1: " + eventCapacity);
        }
        return factory.open(backend, eventCapacity, completions);
    }
}
