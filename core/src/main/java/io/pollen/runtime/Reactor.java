package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.PollClosedException;
import io.pollen.poll.Source;
import io.pollen.poll.Token;
import io.pollen.poll.Waker;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The Reactor of the Reactor–Executor pattern: owns a {@link Poll}, maps every readiness event to
 * the {@link ReadyHandler} that waits on it, and can be woken from any thread.
 *
 * <p>An {@link EventLoop} embeds one and runs it on its own thread together with tasks (the fast
 * path). A {@code Reactor} can also be used on its own — the chapter's decoupled shape: run it on
 * its own thread with {@link #start(String)} and let the handlers wake tasks that run on any
 * {@link java.util.concurrent.Executor}:
 *
 * <pre>{@code
 * Reactor reactor = Reactor.open(Backend.select());
 * reactor.start("reactor");
 * ExecutorService pool = Executors.newFixedThreadPool(4);
 * reactor.execute(() -> reactor.register(stream, Interest.READABLE,
 *         ReadyHandler.resumeOn(pool, flags -> readSome(stream))));
 * }</pre>
 *
 * <h2>Registrations</h2>
 * A registration's token is its slot index in a growable table plus a generation, so that
 * dispatching an event is one array load and one comparison — no search — and an event that
 * arrives for a slot reused since (a stale token) is recognised and dropped.
 *
 * <h2>Wake-ups</h2>
 * {@link #wakeup()} coalesces through one atomic state word (Netty's scheme): it only writes to the
 * kernel's waker when the reactor's thread is parked in, or about to enter, a poll. Any number of
 * wake-ups while the thread is running cost one atomic swap each.
 *
 * <h2>Threads</h2>
 * {@link #register}, {@link #runOnce} and {@link #close()} belong to the reactor's thread (the one
 * that runs it, or the one that opened it until {@link #start} is called). {@link #execute} and
 * {@link #wakeup} may be called from any thread. Not guaranteed: the order in which handlers of
 * one poll are called.
 */
public final class Reactor implements Executor, AutoCloseable {
    static final long WAKER_TOKEN = Long.MAX_VALUE;
    private static final int AWAKE = 0;
    private static final int PARKED = 1;

    private final Poll poll;
    private final Waker waker;
    private final Events events;
    private final AtomicInteger wakeState = new AtomicInteger(AWAKE);
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private Consumer<Throwable> errorHandler = Reactor::defaultError;
    private BooleanSupplier moreWork = () -> false;

    // The registration table: slots[i] holds the live registration with index i, gens[i] its
    // generation; freed indexes are reused LIFO (warm in cache).
    private Registration[] slots = new Registration[64];
    private int[] gens = new int[64];
    private int[] free = new int[64];
    private int freeTop;
    private int used;
    private int live;

    private volatile Thread owner;
    private volatile Thread thread;
    private volatile boolean closing;
    private volatile boolean closed;

    private Reactor(Poll poll, int eventCapacity) throws IOException {
        this.poll = poll;
        this.events = Events.withCapacity(eventCapacity);
        this.waker = new Waker(poll.registry(), Token.of(WAKER_TOKEN));
        this.owner = Thread.currentThread();
    }

    /** Opens a reactor on {@code backend}, owned by the calling thread until {@link #start}. */
    public static Reactor open(Backend backend) throws IOException {
        return open(backend, 1024);
    }

    /** As {@link #open(Backend)}, with room for {@code eventCapacity} events per poll. */
    public static Reactor open(Backend backend, int eventCapacity) throws IOException {
        Poll poll = Poll.open(backend);
        try {
            return new Reactor(poll, eventCapacity);
        } catch (IOException | RuntimeException e) {
            poll.close();
            throw e;
        }
    }

    /** The backend of the underlying Poll. */
    public Backend backend() {
        return poll.backend();
    }

    /**
     * Where exceptions thrown by handlers and commands go; the default logs them. A handler that
     * throws is reported on {@link LastResort}'s plain path; the reactor goes on.
     */
    public void errorHandler(Consumer<Throwable> handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
    }

    /** Whether the calling thread is the reactor's thread. */
    public boolean inReactor() {
        return Thread.currentThread() == owner;
    }

    /** The number of live registrations. */
    public int registrations() {
        return live;
    }

    /**
     * Registers {@code source} for {@code interest}; {@code handler} is called on the reactor's
     * thread for every event. Allocates the {@link Registration} and nothing else.
     *
     * @throws IllegalStateException off the reactor's thread, or after {@link #close()}
     * @throws UncheckedIOException if the backend refuses the source
     */
    public Registration register(Source source, Interest interest, ReadyHandler handler) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(handler, "handler");
        checkOwner("register");
        if (closed || closing) {
            throw new IllegalStateException("the reactor is closed");
        }
        int index = freeTop > 0 ? free[--freeTop] : grabSlot();
        long token = ((long) gens[index] << 32) | index;
        Registration reg = new Registration(this, source, token, interest, handler);
        try {
            poll.registry().register(source, Token.of(token), interest);
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
        poll.registry().reregister(reg.source, Token.of(reg.token), interest);
        reg.interest = interest;
    }

    /** Forgets {@code reg}; {@code deregister} also takes its source off the backend. */
    void cancel(Registration reg, boolean deregister) {
        int index = (int) reg.token;
        reg.cancelled = true;
        if (slots[index] == reg) {
            slots[index] = null;
            gens[index] = (gens[index] + 1) & 0x7fff_ffff;
            free[freeTop++] = index;
            live--;
        }
        // release() skips the deregister only where closing the fd ends the registration (not io_uring).
        if ((deregister || !poll.backend().closeDeregisters()) && !poll.isClosed()) {
            try {
                poll.registry().deregister(reg.source);
            } catch (IOException | RuntimeException e) {
                // The source may already be closed (its fd gone from the kernel's interest list);
                // the registration is forgotten either way.
            }
        }
    }

    /** Runs {@code command} on the reactor's thread, soon. Any thread. */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (closed) {
            throw new java.util.concurrent.RejectedExecutionException("the reactor is closed");
        }
        commands.add(command);
        // Closed meanwhile: take it back if the reactor's last run did not take it, and say so.
        if (closed && commands.remove(command)) {
            throw new java.util.concurrent.RejectedExecutionException("the reactor is closed");
        }
        wakeup();
    }

    /**
     * Makes a blocked or the next {@link #poll} return at once. Any thread; coalesced.
     */
    public void wakeup() {
        if (wakeState.getAndSet(AWAKE) == PARKED) {
            try {
                waker.wake();
            } catch (IOException | PollClosedException e) {
                // Closed concurrently: nobody is left to wake.
            } catch (IllegalStateException e) {
                // Waker closed by close(): same.
            }
        }
    }

    /**
     * One turn of a standalone reactor: run queued commands, poll for up to {@code timeoutNanos}
     * (negative: until something happens; zero if a command ran), call the handlers. Returns the
     * number of events.
     */
    public int runOnce(long timeoutNanos) {
        checkOwner("runOnce");
        // Commands that ran may be what the caller waits for: then only look, do not wait.
        int ran = runCommands();
        int n = poll(ran > 0 ? 0 : timeoutNanos);
        dispatch();
        return n;
    }

    /** Test helper: runs turns (up to 5 s each) until one dispatched at least one event. */
    int runOnceUntilEvent() {
        int handled;
        do {
            runCommands();
            poll(5_000_000_000L);
            handled = dispatch();
        } while (handled == 0);
        return handled;
    }

    // ---- phases used by EventLoop ----

    void moreWork(BooleanSupplier check) {
        this.moreWork = check;
    }

    void bind(Thread t) {
        owner = t;
    }

    int runCommands() {
        int n = 0;
        Runnable r;
        while ((r = commands.poll()) != null) {
            n++;
            try {
                r.run();
            } catch (Throwable t) {
                report(t);
            }
        }
        return n;
    }

    /**
     * Polls. Publishes PARKED first, then re-checks for work queued by other threads: a producer
     * either sees PARKED (and writes the waker) or its work is visible to this check.
     */
    int poll(long timeoutNanos) {
        if (timeoutNanos != 0) {
            // Announce the sleep, then look for work handed over before it: a sender that comes
            // later sees PARKED and wakes us. A poll that does not block needs no wake-up.
            wakeState.set(PARKED);
            if (!commands.isEmpty() || moreWork.getAsBoolean() || closing) {
                timeoutNanos = 0;
            }
        }
        try {
            return poll.pollNanos(events, timeoutNanos);
        } catch (IOException e) {
            report(e);
            events.clear();
            return 0;
        } finally {
            wakeState.lazySet(AWAKE);
        }
    }

    /** Calls the handler of every event of the last poll; stale tokens are dropped. */
    int dispatch() {
        int n = events.size();
        int handled = 0;
        for (int i = 0; i < n; i++) {
            long token = events.token(i);
            if (token == WAKER_TOKEN) {
                continue;
            }
            int index = (int) token;
            Registration reg = index < used ? slots[index] : null;
            if (reg == null || reg.token != token) {
                continue;
            }
            int flags = flags(i);
            reg.ready |= flags;
            handled++;
            try {
                reg.handler.ready(flags);
            } catch (Throwable t) {
                report(t);
            }
        }
        return handled;
    }

    private int flags(int i) {
        int f = 0;
        if (events.isReadable(i)) f |= Readiness.READABLE;
        if (events.isWritable(i)) f |= Readiness.WRITABLE;
        if (events.isError(i)) f |= Readiness.ERROR;
        if (events.isReadClosed(i)) f |= Readiness.READ_CLOSED;
        if (events.isWriteClosed(i)) f |= Readiness.WRITE_CLOSED;
        if (events.isPriority(i)) f |= Readiness.PRIORITY;
        return f;
    }

    // ---- standalone thread ----

    /**
     * Runs this reactor on a new platform thread named {@code threadName} until {@link #close()}:
     * the decoupled shape, where handlers hand work to an executor elsewhere.
     */
    public Thread start(String threadName) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        Thread t = Thread.ofPlatform().name(threadName).unstarted(this::runLoop);
        thread = t;
        owner = t;
        t.start();
        return t;
    }

    private void runLoop() {
        try {
            while (!closing) {
                runOnce(-1);
            }
        } finally {
            closeNow();
        }
    }

    /**
     * Closes the reactor: closes what every live registration owns (its socket), then the Poll.
     * From a thread other than the one {@link #start} made, this asks that thread to finish and
     * joins it. Idempotent.
     */
    @Override
    public void close() {
        Thread t = thread;
        if (t != null && Thread.currentThread() != t) {
            closing = true;
            wakeup();
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
            return;
        }
        closing = true;
        if (t == null) {
            closeNow();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes every owned source and the Poll, on the reactor's thread. */
    void closeNow() {
        if (closed) {
            return;
        }
        closing = true;
        runCommands();
        for (int i = 0; i < used; i++) {
            Registration reg = slots[i];
            if (reg != null) {
                // Deregister before closing: the kernel must not see an event for a reused fd.
                cancel(reg, true);
                AutoCloseable c = reg.owner;
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    report(e);
                }
            }
        }
        closed = true;
        runCommands(); // a command added from now on is taken back by its sender (execute)
        waker.close();
        try {
            poll.close();
        } catch (IOException e) {
            report(e);
        }
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(what + " must be called on the reactor's thread ("
                    + owner.getName() + "), not on " + Thread.currentThread().getName()
                    + "; hand it over with execute(...)");
        }
    }

    /** Hands {@code t} to the error handler; never throws (a throwing handler goes to {@link LastResort}). */
    private void report(Throwable t) {
        try {
            errorHandler.accept(t);
        } catch (Throwable again) {
            LastResort.print("the reactor's error handler threw", again);
            LastResort.print("reactor error", t);
        }
    }

    private static void defaultError(Throwable t) {
        LastResort.warn(System.getLogger("io.pollen.runtime"), "reactor error", t);
    }

    @Override
    public String toString() {
        return "Reactor{" + poll.backend().id() + ", registrations=" + live + (closed ? ", closed}" : "}");
    }
}
