package io.pollen.runtime;

import io.pollen.poll.Interest;
import io.pollen.poll.Source;

import java.util.Objects;

/**
 * The life of every async I/O object, written once (Tokio's {@code PollEvented}): a socket
 * registered with its {@link EventLoop}, the readiness the loop saw for it, and a close that
 * releases the registration, closes the socket, detaches it from the task that opened it and
 * fails what still waits — from any thread, once.
 *
 * <p>Subclasses ({@link AsyncTcpStream}, {@link AsyncUdpSocket}, {@link AsyncTcpListener}) add
 * their operations: they test {@link #isReady}, drain the socket until "would block", then
 * {@link #notReady} and wait for {@link #onReady}.
 *
 * @param <S> the socket type
 */
abstract class AsyncSource<S extends Source & AutoCloseable> implements AutoCloseable {
    /** The loop that drives the socket; operations complete on it. */
    final EventLoop loop;
    /** The non-blocking socket. */
    final S socket;
    /** The task that opened it (cancelling the task closes it), or null. */
    final Task owner;
    /** The registration with {@link #loop}, once made (loop thread). */
    Registration reg;
    /** Set once closed; any thread reads it. */
    volatile boolean closed;

    AsyncSource(EventLoop loop, S socket, Task owner) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.socket = socket;
        this.owner = owner;
    }

    /**
     * Registers for {@code interest} now, on the loop thread, taking {@code assumedReady} as already
     * seen (a fresh socket may have data or room before any event says so).
     */
    final void register(Interest interest, int assumedReady) {
        reg = loop.register(socket, interest, this::onReady);
        reg.owner = this; // what the loop closes at shutdown: this, which fails what waits
        reg.setReadiness(assumedReady);
        if (owner != null) {
            owner.own(this); // a cancelled owner closes it at once
        }
        registered();
    }

    /**
     * {@link #register} from any thread: at once on the loop's, otherwise handed to it. On a
     * closed loop the socket is closed and the loop's closed-exception thrown.
     */
    final void registerSoon(Interest interest, int assumedReady) throws java.nio.channels.ClosedChannelException {
        Runnable r = () -> {
            if (closed) {
                return;
            }
            try {
                register(interest, assumedReady);
            } catch (RuntimeException e) {
                close(); // e.g. handed over just as the loop closed: the caller holds a closed socket
                throw e;
            }
        };
        if (loop.inLoop()) {
            r.run();
        } else if (!loop.executeQuietly(r)) {
            closeQuietly(socket);
            throw LoopCalls.closedLoop(loop);
        }
    }

    /** Called once registered (loop thread). */
    void registered() {
    }

    /** The loop saw readiness {@code flags} for the socket (loop thread). */
    abstract void onReady(int flags);

    /** Closed (loop thread, once): fail the operations still waiting. */
    abstract void failPending();

    /** Whether the loop has seen any of {@code bits} since they were last cleared. */
    final boolean isReady(int bits) {
        return reg != null && (reg.readiness() & bits) != 0;
    }

    /** An operation returned "would block" for {@code bits}: wait for the next event. */
    final void notReady(int bits) {
        reg.clearReadiness(bits);
    }

    /** The loop this object runs on; its futures complete there. */
    public EventLoop loop() {
        return loop;
    }

    /** Whether {@link #close()} has not been called. */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes the socket and fails waiting operations with an
     * {@link java.nio.channels.AsynchronousCloseException}; idempotent, any thread (off the loop it
     * is handed to the loop; if the loop is closed, the loop already closed the socket).
     */
    @Override
    public void close() {
        if (!loop.inLoop()) {
            if (!loop.executeQuietly(this::close)) {
                closeQuietly(socket);
            }
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        if (reg != null) {
            // The fd is ours alone: closing it takes it off the kernel's list, no deregister call.
            reg.release();
        }
        closeQuietly(socket);
        if (owner != null) {
            owner.disown(this);
        }
        failPending();
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // close releases the fd even when it reports an error; nothing more to do.
        }
    }
}
