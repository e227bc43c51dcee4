package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;
import io.pollen.poll.spi.Driver;
import io.pollen.poll.spi.Drivers;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The runtime's side of the {@link Driver} seam, shared by {@link EventLoop} and the standalone
 * {@link Reactor}: the registration table the driver reports into, the one "parked" flag that
 * coalesces wake-ups, and the owner thread. What Tokio keeps in {@code io::Driver} + its handle.
 *
 * <h2>Registrations</h2>
 * A token is a slot index (low 32 bits) plus the slot's generation (the next 24 bits), so that a
 * report finds its {@link Registration} with one array load and one comparison, and a report for
 * a slot reused since (a stale token, or a late completion) is recognised and dropped.
 *
 * <h2>Wake-ups</h2>
 * One state word (Netty's scheme): before a blocking {@link #run} the owner publishes PARKED, then
 * looks once more for work handed over; a producer swaps in AWAKE and calls
 * {@link Driver#wakeup()} only if it took PARKED. So a wake-up is one atomic swap while the owner
 * runs, and one system call while it sleeps: execute → queue → this flag → driver → kernel.
 *
 * <p>Table and driver calls belong to the owner thread; {@link #wakeup()} and {@link #inOwner()}
 * to any thread.
 */
final class IoDriver implements Driver.Dispatch {
    private static final int AWAKE = 0;
    private static final int PARKED = 1;
    private static final long GENERATION_MASK = Driver.TOKEN_MASK >>> 32;
    private static final VarHandle WAKE;

    static {
        try {
            WAKE = MethodHandles.lookup().findVarHandle(IoDriver.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What waits on the kernel: epoll, nio, and later io_uring. */
    private final Driver driver;
    /** Runs registration changes asked from other threads on the owner thread. */
    private final Executor handOver;
    /** Whether the owner has work that must not wait for the kernel (checked after parking). */
    private final BooleanSupplier pending;
    /** Where handler exceptions and driver failures go. */
    private final Consumer<Throwable> errors;
    /** Live registrations by slot index; null where free. */
    private Registration[] slots = new Registration[64];
    /** The generation of each slot, bumped when it is freed. */
    private long[] gens = new long[64];
    /** Freed slot indexes, reused LIFO (warm in cache). */
    private int[] free = new int[64];
    /** How many entries of {@link #free} are valid. */
    private int freeTop;
    /** Slots ever handed out (the high-water mark of the table). */
    private int used;
    /** Live registrations. */
    private int live;
    /** AWAKE or PARKED: the one wake-up flag of the owner. */
    private volatile int wakeState;
    /** The thread that may run the driver and touch the table. */
    private volatile Thread owner = Thread.currentThread();
    /** Set once the driver is closed; registering then fails. */
    private boolean closed;
    /**
     * The handler running now, or null; read racily by the watchdog to say what holds the loop.
     * Padded: written for every report, next to the fields every spawning thread reads.
     */
    final PaddedRef<ReadyHandler> running = new PaddedRef<>(null);
    /** Told when the driver's wait ends, before any handler runs; null if nobody watches. */
    private LoopMonitor monitor;

    IoDriver(Backend backend, int eventCapacity, Executor handOver, BooleanSupplier pending,
             Consumer<Throwable> errors) throws IOException {
        this(Drivers.open(backend, eventCapacity), handOver, pending, errors);
    }

    /** Over a given driver (a test wraps one to count its wake-ups). */
    IoDriver(Driver driver, Executor handOver, BooleanSupplier pending, Consumer<Throwable> errors) {
        this.driver = driver;
        this.handOver = handOver;
        this.pending = pending;
        this.errors = errors;
    }

    Backend backend() {
        return driver.backend();
    }

    /** The driver's count of its system calls, or -1 (see {@link Driver#kernelCalls()}); any thread. */
    long kernelCalls() {
        return driver.kernelCalls();
    }

    /** Hands the table and the driver to {@code t} (the owner's own thread, once it starts). */
    void bind(Thread t) {
        owner = t;
    }

    Thread owner() {
        return owner;
    }

    boolean inOwner() {
        return Thread.currentThread() == owner;
    }

    int registrations() {
        return live;
    }

    boolean isClosed() {
        return closed;
    }

    /** Registers {@code source}; owner thread. See {@link EventLoop#register}. */
    Registration register(Source source, Interest interest, ReadyHandler handler, String ownerName) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(handler, "handler");
        checkOwner("register", ownerName);
        if (closed) {
            throw new IllegalStateException(ownerName + " is closed");
        }
        int index = freeTop > 0 ? free[--freeTop] : grabSlot();
        long token = (gens[index] << 32) | index;
        Registration reg = new Registration(this, source, token, interest, handler);
        try {
            driver.register(source, token, interest);
        } catch (IOException e) {
            free[freeTop++] = index;
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            free[freeTop++] = index;
            throw e;
        }
        slots[index] = reg;
        live++;
        if (source instanceof Closeable c) {
            reg.owner = c;
        }
        return reg;
    }

    private int grabSlot() {
        if (used == slots.length) {
            int n = slots.length * 2;
            slots = Arrays.copyOf(slots, n);
            gens = Arrays.copyOf(gens, n);
            free = Arrays.copyOf(free, n);
        }
        return used++;
    }

    void reregister(Registration reg, Interest interest) throws IOException {
        driver.reregister(reg.source, reg.token, interest);
        reg.interest = interest;
    }

    /** Forgets {@code reg}; {@code deregister} also takes its source off the driver. */
    void cancel(Registration reg, boolean deregister) {
        int index = (int) reg.token;
        reg.cancelled = true;
        if (slots[index] == reg) {
            slots[index] = null;
            gens[index] = (gens[index] + 1) & GENERATION_MASK;
            free[freeTop++] = index;
            live--;
        }
        // Where closing an fd does not take it off the backend (kqueue keeps its own set of
        // registered fds and libkqueue cannot see a close), a release deregisters as well.
        if ((deregister || !driver.backend().closeDeregisters()) && !closed) {
            try {
                driver.deregister(reg.source);
            } catch (IOException | RuntimeException e) {
                // The source may already be closed (its fd gone from the kernel's interest list);
                // the registration is forgotten either way.
            }
        }
    }

    /** Runs {@code change} on the owner thread; a closed owner has dropped every registration. */
    void handOver(Runnable change) {
        handOver.execute(change);
    }

    /**
     * Runs the driver for up to {@code timeoutNanos}. A blocking run publishes PARKED first and
     * then re-checks the owner's work: a producer either sees PARKED (and wakes the driver) or its
     * work is visible to that check.
     *
     * @return the number of reports dispatched
     */
    int run(long timeoutNanos) {
        if (timeoutNanos != 0) {
            wakeState = PARKED;
            if (pending.getAsBoolean()) {
                timeoutNanos = 0;
            }
        }
        try {
            return driver.run(timeoutNanos, this);
        } catch (IOException e) {
            errors.accept(e);
            return 0;
        } finally {
            if (wakeState != AWAKE) {
                WAKE.setRelease(this, AWAKE);
            }
        }
    }

    @Override
    public void awake() {
        if (wakeState != AWAKE) {
            WAKE.setRelease(this, AWAKE);
        }
        if (monitor != null) {
            monitor.awake();   // the handlers about to run are the loop's busy time, watched
        }
    }

    /** The loop's monitor, told when a wait ends (an event loop's; a Reactor has none). */
    void watchedBy(LoopMonitor m) {
        monitor = m;
    }

    /** Wakes the owner if it is parked (or about to be). Any thread; one swap when it is awake. */
    void wakeup() {
        if (wakeState == PARKED && (int) WAKE.getAndSet(this, AWAKE) == PARKED) {
            driver.wakeup();
        }
    }

    /** A report from the driver: finds the registration in O(1), drops a stale token. */
    @Override
    public void ready(long token, int readyBits) {
        int index = (int) token;
        Registration reg = index >= 0 && index < used ? slots[index] : null;
        if (reg == null || reg.token != token) {
            return;
        }
        reg.ready |= readyBits;
        running.set(reg.handler);
        try {
            reg.handler.ready(readyBits);
        } catch (Throwable t) {
            errors.accept(t);
        }
        running.set(null);
    }

    /**
     * Closes what every live registration owns (deregistered first: the kernel must not report a
     * reused fd), then the driver. Owner thread; idempotent.
     */
    void close() {
        if (closed) {
            return;
        }
        for (int i = 0; i < used; i++) {
            Registration reg = slots[i];
            if (reg != null) {
                cancel(reg, true);
                AutoCloseable c = reg.owner;
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    errors.accept(e);
                }
            }
        }
        closed = true;
        try {
            driver.close();
        } catch (IOException e) {
            errors.accept(e);
        }
    }

    private void checkOwner(String what, String ownerName) {
        Thread o = owner;
        if (Thread.currentThread() != o) {
            throw new IllegalStateException(what + " must be called on the thread of " + ownerName + " ("
                    + o.getName() + "), not on " + Thread.currentThread().getName()
                    + "; hand it over with execute(...)");
        }
    }
}
