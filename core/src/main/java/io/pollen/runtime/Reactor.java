package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;
import io.pollen.poll.spi.Drivers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The Reactor of the Reactor–Executor pattern: owns a {@link Poll}, maps every readiness event to
 * the {@link ReadyHandler} that waits on it, and can be woken from any thread.
 *
 * <p>An {@link EventLoop} runs the same driver seam together with tasks on one thread (the fast
 * path). A {@code Reactor} is the chapter's decoupled shape on that seam: run it on its own
 * thread with {@link #start(String)} and let the handlers wake tasks that run on any
 * {@link java.util.concurrent.Executor}:
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=reactor}
 *
 * <h2>Registrations</h2>
 * A registration's token is its slot index in a growable table plus a generation, so that
 * dispatching an event is one array load and one comparison — no search — and an event that
 * arrives for a slot reused since (a stale token) is recognised and dropped.
 *
 * <h2>Wake-ups</h2>
 * {@link #wakeup()} coalesces through one atomic state word (Netty's scheme): it only writes to the
 * kernel's waker when the reactor's thread is parked in, or about to enter, a poll. Any number of
 * wake-ups while the thread is running cost one volatile read each. Commands and wake-ups share
 * the event loop's machinery ({@code TaskQueue}, the driver seam): one queue, one flag.
 *
 * <h2>Threads</h2>
 * {@link #register}, {@link #runOnce} and {@link #close()} belong to the reactor's thread (the one
 * that runs it, or the one that opened it until {@link #start} is called). {@link #execute} and
 * {@link #wakeup} may be called from any thread. Not guaranteed: the order in which handlers of
 * one poll are called.
 */
public final class Reactor implements Executor, AutoCloseable {
    /** The driver, the registration table and the one wake-up flag. */
    private final IoDriver io;
    /** Commands handed in by {@link #execute}; one queue, drained at the start of each turn. */
    private final TaskQueue commands = new TaskQueue();
    /** Reports handler and command failures; replaceable until the reactor starts. */
    private volatile Consumer<Throwable> errorHandler = Reactor::defaultError;
    /** {@link #report}, made once so that a turn allocates nothing. */
    private final Consumer<Throwable> reporter = this::report;
    /** The thread {@link #start} made, or null while the opener drives the reactor. */
    private volatile Thread thread;
    /** Asked to finish: the running turn is the last. */
    private volatile boolean closing;
    /** Everything released; {@link #execute} refuses from now on. */
    private volatile boolean closed;

    private Reactor(Backend backend, int eventCapacity) throws IOException {
        // Readiness even on io_uring: this reactor's sockets are read and written on other threads.
        this.io = new IoDriver(Drivers.openReadiness(backend, eventCapacity), this, () -> commands.hasRemote() || closing, reporter);
    }

    /** Opens a reactor on {@code backend}, owned by the calling thread until {@link #start}. */
    public static Reactor open(Backend backend) throws IOException {
        return open(backend, 1024);
    }

    /** As {@link #open(Backend)}, with room for {@code eventCapacity} events per poll. */
    public static Reactor open(Backend backend, int eventCapacity) throws IOException {
        return new Reactor(Objects.requireNonNull(backend, "backend"), eventCapacity);
    }

    /** The backend of the underlying driver. */
    public Backend backend() {
        return io.backend();
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
        return io.inOwner();
    }

    /** The number of live registrations. */
    public int registrations() {
        return io.registrations();
    }

    /**
     * Registers {@code source} for {@code interest}; {@code handler} is called on the reactor's
     * thread for every event. Allocates the {@link Registration} and nothing else.
     *
     * @throws IllegalStateException off the reactor's thread, or after {@link #close()}
     * @throws UncheckedIOException if the backend refuses the source
     */
    public Registration register(Source source, Interest interest, ReadyHandler handler) {
        if (closing && io.inOwner()) {
            throw new IllegalStateException("the reactor is closed");
        }
        return io.register(source, interest, handler, "the reactor");
    }

    /** Runs {@code command} on the reactor's thread, soon. Any thread. */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        if (closed) {
            throw new RejectedExecutionException("the reactor is closed");
        }
        if (io.inOwner()) {
            commands.addLocal(command);
            return;
        }
        commands.addRemote(command);
        // Closed meanwhile: take it back if the reactor's last run did not take it, and say so.
        if (closed && commands.takeBack(command)) {
            throw new RejectedExecutionException("the reactor is closed");
        }
        io.wakeup();
    }

    /** Makes a blocked or the next {@link #runOnce} return at once. Any thread; coalesced. */
    public void wakeup() {
        io.wakeup();
    }

    /**
     * One turn of a standalone reactor: run queued commands, poll for up to {@code timeoutNanos}
     * (negative: until something happens; zero if a command ran), call the handlers. Returns the
     * number of events.
     */
    public int runOnce(long timeoutNanos) {
        if (!io.inOwner()) {
            throw new IllegalStateException("runOnce must be called on the reactor's thread ("
                    + io.owner().getName() + "), not on " + Thread.currentThread().getName());
        }
        // Commands that ran may be what the caller waits for: then only look, do not wait.
        int ran = commands.run(EventLoop.DEFAULT_BUDGET, reporter);
        return io.run(ran > 0 || closing ? 0 : timeoutNanos);
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
        io.bind(t);
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
     * Closes the reactor: closes what every live registration owns (its socket), then the driver.
     * From a thread other than the one {@link #start} made, this asks that thread to finish and
     * joins it. Idempotent.
     */
    @Override
    public void close() {
        Thread t = thread;
        closing = true;
        if (t != null && Thread.currentThread() != t) {
            io.wakeup();
            Threads.joinUninterruptibly(t);
            return;
        }
        if (t == null) {
            closeNow();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes every owned source and the driver, on the reactor's thread. */
    void closeNow() {
        if (closed) {
            return;
        }
        closing = true;
        commands.run(EventLoop.DEFAULT_BUDGET, reporter);
        io.close();
        closed = true;
        // A command added from now on is taken back by its sender (execute); run what came before.
        for (Runnable r : commands.drain()) {
            try {
                r.run();
            } catch (Throwable e) {
                report(e);
            }
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
        return "Reactor{" + io.backend().id() + ", registrations=" + io.registrations() + (closed ? ", closed}" : "}");
    }
}
