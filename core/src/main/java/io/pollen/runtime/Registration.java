package io.pollen.runtime;

import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One source registered with a {@link Reactor} (usually through {@link EventLoop#register}): the
 * handle to change its interest or cancel it, and the place where the reactor keeps the source's
 * readiness between events.
 *
 * <h2>Readiness tracking (the edge-triggered discipline)</h2>
 * Every event ORs its bits into {@link #readiness()}. An owner that was told "readable" keeps
 * reading until the source would block, then calls {@link #clearReadiness} for that bit and waits
 * for the next {@link ReadyHandler#ready} call. Nothing is re-armed in the kernel on the way: a
 * socket is registered for {@code READABLE|WRITABLE} once and never touched again until it is
 * cancelled. (Pollen's sockets tell the nio backend about "would block" themselves.)
 *
 * <h2>Threads</h2>
 * The fields are owned by the reactor's thread. {@link #reregister} and {@link #cancel} may be
 * called from any thread: off the reactor's thread they are handed to it and happen shortly after.
 * After {@code cancel} returns on the reactor's thread, the handler is never called again.
 * Not guaranteed: when {@code cancel} is called from another thread, one more call of the handler
 * may happen before the cancellation is applied.
 */
public final class Registration {
    /** The table this registration lives in (its loop's or reactor's). */
    final IoDriver io;
    /** The registered source. */
    final Source source;
    /** Slot index and generation in {@link #io}'s table; what the driver reports. */
    final long token;
    /** Called with every report. */
    final ReadyHandler handler;
    /** The current interest; owner thread. */
    Interest interest;
    /** Readiness seen since last cleared; owner thread. */
    int ready;
    /** What the reactor closes when it closes with this registration still active; may be null. */
    AutoCloseable owner;
    /** Set once forgotten; read off the owner thread to skip a useless hand-over. */
    volatile boolean cancelled;

    Registration(IoDriver io, Source source, long token, Interest interest, ReadyHandler handler) {
        this.io = io;
        this.source = source;
        this.token = token;
        this.interest = interest;
        this.handler = handler;
    }

    /** The registered source. */
    public Source source() {
        return source;
    }

    /** The current interest. */
    public Interest interest() {
        return interest;
    }

    /** Whether the registration is still in place (not cancelled, reactor not closed). */
    public boolean isActive() {
        return !cancelled;
    }

    /**
     * The readiness bits seen since they were last cleared ({@link Readiness}). Read on the
     * reactor's thread.
     */
    public int readiness() {
        return ready;
    }

    /** Forgets the readiness {@code bits}: call after an operation returned "would block". */
    public void clearReadiness(int bits) {
        ready &= ~bits;
    }

    /** Records readiness the owner knows of (e.g. "assume writable" after a fresh connect). */
    public void setReadiness(int bits) {
        ready |= bits;
    }

    /**
     * Replaces the interest (one {@code epoll_ctl(MOD)}). Rarely needed: the async types register
     * for reading and writing once.
     *
     * @throws UncheckedIOException if the backend refuses
     */
    public void reregister(Interest newInterest) {
        if (!io.inOwner()) {
            io.handOver(() -> reregister(newInterest));
            return;
        }
        if (cancelled) {
            throw new IllegalStateException("the registration is cancelled");
        }
        try {
            io.reregister(this, newInterest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deregisters the source; idempotent. The source itself stays open: its owner closes it.
     */
    public void cancel() {
        forget(true);
    }

    /**
     * Forgets the registration without telling the backend, for an owner about to close the
     * source: closing a socket's last descriptor takes it off epoll's interest list, and closing a
     * channel cancels its selection key, so {@link #cancel()}'s {@code epoll_ctl(DEL)} would be one
     * wasted system call per connection. Events the kernel already queued for the source carry the
     * old token and are dropped. Idempotent; off the reactor's thread it is handed to the reactor.
     * On a backend where closing does not end a registration (io_uring: its poll holds the file;
     * {@code Backend.closeDeregisters()}), this deregisters like {@link #cancel()}.
     *
     * <p>Only for sources whose descriptor is not shared: a duplicated fd would keep the kernel's
     * registration alive (its events still dropped, but reported until that fd closes too).
     *
     * <p>On {@link io.pollen.poll.Backend#KQUEUE} a release deregisters like {@link #cancel()}: the
     * kqueue backend keeps its own set of registered fds, and libkqueue does not notice a close.
     * Call it on the reactor's thread before closing, so the deregistration precedes the close.
     */
    public void release() {
        forget(false);
    }

    /** {@link #cancel} and {@link #release}: on the reactor's thread, once. */
    private void forget(boolean deregister) {
        if (cancelled) {
            return;
        }
        if (!io.inOwner()) {
            try {
                io.handOver(() -> forget(deregister));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // The reactor has closed, and dropped every registration with it: nothing to do.
            }
            return;
        }
        io.cancel(this, deregister);
    }

    @Override
    public String toString() {
        return "Registration{token=" + Long.toHexString(token) + ", " + interest + ", ready="
                + Readiness.toString(ready) + (cancelled ? ", cancelled}" : "}");
    }
}
