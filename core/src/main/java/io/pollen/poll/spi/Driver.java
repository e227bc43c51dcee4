package io.pollen.poll.spi;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;

/**
 * The one seam between an event loop and what waits on the kernel: the loop runs its driver with a
 * timeout, wakes it, registers sources with it and closes it. Pollen's equivalent of Netty 4.2's
 * {@code IoHandler} and Tokio's {@code io::Driver}. Internal: the runtime ({@code EventLoop},
 * {@code Reactor}) is the only caller; the public face of the event queue stays {@code Poll}.
 *
 * <p>Two models fit behind it. A <b>readiness</b> driver (epoll, kqueue, java.nio: one
 * {@link Selector} each, see {@link Drivers}) tells the loop when a source may be read or written;
 * a <b>completion</b> driver (io_uring) performs operations the loop submitted and tells it when
 * they are done. Either way the driver reports through one {@link Dispatch}, on the loop's thread,
 * during {@link #run}, naming the registration by its token: no event list crosses the seam.
 *
 * <h2>The platform contract (every driver keeps it)</h2>
 * <ul>
 *   <li><b>Threads.</b> {@link #run}, {@link #register}, {@link #reregister}, {@link #deregister}
 *       and {@link #close} are called by one thread at a time, the loop's (the runtime hands
 *       other threads' requests over as tasks), so a driver needs no locks for them.
 *       {@link #wakeup()} is the only method called from any thread, concurrently with all the
 *       others, including {@link #close}.</li>
 *   <li><b>Run.</b> {@code run(timeoutNanos, dispatch)} waits until something completes or becomes
 *       ready, a {@link #wakeup()}, or the timeout: {@code < 0} waits without limit, {@code 0}
 *       only looks, otherwise it waits at least that long rounded <i>up</i> to the driver's clock
 *       (never a busy spin) and returns by then plus the scheduler's slack. It may return early
 *       with nothing (a signal, an internal wake-up). It then calls {@link Dispatch#awake()} once
 *       and {@code dispatch} once per
 *       readiness or completion it collected, before returning, and returns how many calls it
 *       made. It allocates nothing in steady state. A completion driver submits everything queued
 *       since the last run in the same system call that waits.</li>
 *   <li><b>Dispatch.</b> Handlers run inside {@code run}; they may register, deregister and submit
 *       (the driver must tolerate its tables changing while it dispatches). After
 *       {@link #deregister} returns, no later {@code run} reports that token again (a completion
 *       driver cancels what is in flight and drops completions that arrive for it).
 *       Readiness is edge-triggered: reported once per change, and spuriously at times; lost never.
 *       Readiness bits are {@link Ready}'s, passed through unchanged to the handler.</li>
 *   <li><b>Wake-up.</b> {@link #wakeup()} makes a blocked {@code run}, or the next one, return
 *       promptly. It always acts (one system call at most): coalescing belongs to the loop, which
 *       keeps the one "parked" flag and calls {@code wakeup} only when it is about to block or
 *       blocked. Safe after or during {@link #close}: then it does nothing (and never writes to a
 *       descriptor the kernel may have reused).</li>
 *   <li><b>Tokens.</b> The loop chooses tokens in {@code [0, 2^56)} (its registration table's slot
 *       and generation); bits 56..62 of a kernel {@code user_data} are the driver's own, e.g. to
 *       tag the kind of operation, and are stripped before {@link Dispatch}.</li>
 *   <li><b>Misuse</b> (registering a registered source, re/deregistering an unknown one) throws
 *       {@link IllegalStateException}; a source of the other kind (an fd on nio, a channel on a
 *       native driver) {@link IllegalArgumentException}.</li>
 *   <li><b>Close</b> releases the driver's kernel objects once, never during a {@code run}; the
 *       sources stay open (their owners close them). Later calls other than {@code wakeup} are
 *       undefined: the loop does not make them.</li>
 * </ul>
 */
public interface Driver {

    /** Token bits that belong to the loop; the rest of a 64-bit {@code user_data} is the driver's. */
    long TOKEN_MASK = (1L << 56) - 1;

    /**
     * What a driver reports to, on the loop's thread, inside {@link #run}. Implemented once, by the
     * runtime's registration table: it finds the registration of {@code token} in O(1) and drops
     * a token whose registration is gone (a stale generation).
     */
    interface Dispatch {

        /**
         * The wait is over: called once per {@link #run}, after the kernel returned and before the
         * first report. The loop clears its "parked" flag here, so that wake-ups sent while the
         * handlers run cost no system call.
         */
        default void awake() {
        }

        /** Readiness of the registration {@code token}: {@link Ready} bits, never re-encoded. */
        void ready(long token, int readyBits);

        /**
         * An operation of the registration {@code token} completed (completion drivers only).
         *
         * @param op     the driver's code for the kind of operation (e.g. recv, send, accept)
         * @param result the kernel's result: a count or fd when {@code >= 0}, {@code -errno} when not
         * @param flags  the driver's completion flags (io_uring: {@code IORING_CQE_F_MORE}, the
         *               provided-buffer id)
         */
        default void completed(long token, int op, int result, int flags) {
        }
    }

    /** The backend this driver runs on; sockets must be opened for it. */
    Backend backend();

    /** Whether this driver also performs operations and reports completions. */
    default boolean completions() {
        return false;
    }

    /**
     * How many system calls this driver made to submit and wait ({@code io_uring_enter}), for
     * statistics and benchmarks; {@code -1} when it does not count them (a readiness driver makes
     * one per {@link #run}). Any thread; a recent value, not a synchronised one.
     */
    default long kernelCalls() {
        return -1;
    }

    /** Starts watching {@code source} for {@code interest}; reports carry {@code token}. */
    void register(Source source, long token, Interest interest) throws IOException;

    /** Replaces the token and the interest of a registered source. */
    void reregister(Source source, long token, Interest interest) throws IOException;

    /** Stops watching {@code source}; its token is never reported again. */
    void deregister(Source source) throws IOException;

    /**
     * Waits up to {@code timeoutNanos} (see the class docs), then dispatches what was collected.
     *
     * @return the number of {@link Dispatch} calls made
     */
    int run(long timeoutNanos, Dispatch dispatch) throws IOException;

    /** Makes a blocked or the next {@link #run} return promptly. Any thread; never throws. */
    void wakeup();

    /** Releases the driver's kernel objects. Loop thread, once, never during {@link #run}. */
    void close() throws IOException;
}
