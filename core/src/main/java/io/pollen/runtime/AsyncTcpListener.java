package io.pollen.runtime;

import io.pollen.net.TcpListener;
import io.pollen.net.StreamListener;
import io.pollen.net.StreamSocket;
import io.pollen.poll.Interest;
import io.pollen.sys.NativeIOException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A listening TCP socket driven by an {@link EventLoop}: {@link #accept()} completes with the next
 * connection, on the loop.
 *
 * {@snippet class=io.pollen.snippets.RuntimeSnippetsTest region=listener}
 *
 * <p>Several accepts may wait at once; they are served in call order. A graceful
 * {@link Runtime#shutdown} closes listeners first (no new connections); their waiting accepts fail
 * with {@link AsynchronousCloseException}. Methods may be called from any thread.
 *
 * <p>When the process is out of file descriptors ({@code EMFILE}, {@code ENFILE}, see
 * {@link NativeIOException#isResourceExhaustion()}), waiting accepts do not fail: accepting
 * pauses, is retried on a timer backing off from 10 ms to 1 s, and resumes by itself once
 * descriptors free up, with one warning per episode — no spin, no failure storm for an accept loop.
 * Not guaranteed: which of several {@code SO_REUSEPORT} listeners the kernel gives a connection to.
 */
public final class AsyncTcpListener extends AsyncSource<StreamListener> {
    private record Waiter(CompletableFuture<AsyncTcpStream> future, EventLoop target, Task task) {
    }

    /** The bound address (with the port the kernel picked); a Unix address under AsyncUnixListener. */
    private final SocketAddress local;
    /** Accepts waiting for a connection, in call order. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** The listener's accept; a test may stand in for it ({@link #acceptWith}) to inject EMFILE. */
    private Accept accept;
    /** Out of descriptors: accepting waits for {@link #retry}; see {@link #exhausted}. */
    private boolean paused;
    /** This exhaustion episode was reported already. */
    private boolean warned;
    /** The next retry's delay while paused. */
    private long backoffNanos = MIN_BACKOFF_NANOS;
    /** The pending retry while paused, or null. */
    private TimerHandle retry;
    private static final long MIN_BACKOFF_NANOS = 10_000_000L;
    private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;
    private static final System.Logger LOG = System.getLogger("io.pollen.runtime");

    AsyncTcpListener(EventLoop loop, StreamListener listener) {
        super(loop, listener, null);
        this.local = listener.localAddress();
        this.accept = listener::accept;
    }

    /** The listener's accept ({@link TcpListener} or {@code UnixListener}), or a test's stand-in for it. */
    @FunctionalInterface
    interface Accept {
        StreamSocket accept() throws IOException;
    }

    /**
     * Test hook (package-private, no production caller): the listener itself, so that
     * {@code AcceptBackoffTest} can accept a queued connection behind the loop's back.
     */
    StreamListener listenerForTests() {
        return socket;
    }

    /** Replaces the listener's accept (tests); on the loop. */
    void acceptWith(Accept a) {
        this.accept = a;
    }

    /** Binds and listens on {@code local} (port 0 picks a free port), on {@code loop}. */
    public static AsyncTcpListener bind(EventLoop loop, InetSocketAddress local) throws IOException {
        return bind(loop, local, TcpListener.DEFAULT_BACKLOG, false);
    }

    /**
     * Binds and listens; with {@code reusePort}, several listeners (one per loop) may share the
     * address and the kernel spreads connections over them.
     */
    public static AsyncTcpListener bind(EventLoop loop, InetSocketAddress local, int backlog, boolean reusePort)
            throws IOException {
        Objects.requireNonNull(loop, "loop");
        return start(new AsyncTcpListener(loop, TcpListener.bind(local, loop.backend(), backlog, reusePort)));
    }

    /** Registers {@code a} on its loop (closing its socket if the loop is closed); any thread. */
    static AsyncTcpListener start(AsyncTcpListener a) throws IOException {
        // Connections may have queued between bind and now: look before waiting for an event.
        a.registerSoon(Interest.READABLE, Readiness.READABLE);
        return a;
    }

    @Override
    void registered() {
        loop.core().addListener(this); // a graceful shutdown closes listeners first
    }

    /** The bound address (with the port the kernel picked for port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) local;   // AsyncUnixListener, which drives a UnixListener here, never calls this
    }

    /** The next connection, registered with this listener's loop. */
    public CompletableFuture<AsyncTcpStream> accept() {
        return accept(loop);
    }

    /**
     * The next connection, registered with {@code target} (the acceptor pattern: one listener
     * spreads connections over several loops). The future completes on {@code target}.
     */
    public CompletableFuture<AsyncTcpStream> accept(EventLoop target) {
        Objects.requireNonNull(target, "target");
        if (target.backend() != loop.backend()) {
            throw new IllegalArgumentException("the target loop runs " + target.backend().id()
                    + ", this listener " + loop.backend().id());
        }
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            if (closed) {
                return LoopCalls.failed(new ClosedChannelException());
            }
            CompletableFuture<AsyncTcpStream> f = new CompletableFuture<>();
            waiters.addLast(new Waiter(f, target, task));
            if (target == loop) {
                drain();
            } else {
                // Hand over in a later task: called from another thread, this runs inside
                // LoopCalls.onLoop, which links the caller's future to f only after we return; a
                // pending connection handed over now could complete f on target first, and the
                // caller's future would then complete here instead of on target.
                loop.execute(this::drain);
            }
            return f;
        });
    }

    @Override
    void onReady(int flags) {
        drain();
    }

    /** Accepts while connections are pending and accepts are waiting. */
    private void drain() {
        while (!paused && !waiters.isEmpty() && isReady(Readiness.ANY_READ)) {
            Waiter w = waiters.peekFirst();
            if (w.future.isDone()) { // abandoned
                waiters.pollFirst();
                continue;
            }
            StreamSocket s;
            try {
                s = accept.accept();
            } catch (IOException e) {
                if (NativeIOException.isResourceExhaustion(e)) {
                    exhausted(e);
                    return;
                }
                waiters.pollFirst();
                LoopCalls.fail(loop, w.task, w.future, e);
                continue;
            }
            if (s == null) {
                notReady(Readiness.ANY_READ);
                return;
            }
            if (warned) {
                warned = false; // the episode is over: the next one is worth a warning again
            }
            backoffNanos = MIN_BACKOFF_NANOS;
            waiters.pollFirst();
            handOver(s, w);
        }
    }

    /**
     * Out of descriptors (or buffers): the connection stays queued in the kernel and the accepts
     * keep waiting. Retrying at once would spin (every retry fails the same way, and the nio
     * backend's level-triggered selector would report the listener again and again), so accepting
     * pauses and resumes on a timer, backing off from 10 ms to 1 s; one warning per episode.
     */
    private void exhausted(IOException e) {
        paused = true;
        if (!warned) {
            warned = true;
            LastResort.warn(LOG, "accept paused, out of resources; retrying with back-off: ", this, e);
        }
        long delay = backoffNanos;
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        retry = loop.schedule(java.time.Duration.ofNanos(delay), () -> {
            retry = null;
            paused = false;
            if (reg != null && !closed) {
                reg.setReadiness(Readiness.READABLE); // look again: connections are still queued
                drain();
            }
        });
    }

    private void handOver(StreamSocket s, Waiter w) {
        if (w.target == loop) {
            complete(loop, s, w);
        } else if (!w.target.executeQuietly(() -> complete(w.target, s, w))) {
            closeQuietly(s);
            w.future.completeExceptionally(LoopCalls.closedLoop(w.target));
        }
    }

    private static void complete(EventLoop target, StreamSocket s, Waiter w) {
        AsyncTcpStream stream;
        try {
            stream = AsyncTcpStream.accepted(target, s, w.task);
        } catch (RuntimeException e) {
            closeQuietly(s);
            LoopCalls.fail(target, w.task, w.future, e);
            return;
        }
        LoopCalls.complete(target, w.task, w.future, stream);
        if (w.future.isCancelled()) {
            stream.close();
        }
    }

    /** Stopped listening: waiting accepts fail with {@link AsynchronousCloseException}. */
    @Override
    void failPending() {
        if (retry != null) {
            retry.cancel();
        }
        loop.core().removeListener(this);
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            LoopCalls.fail(loop, w.task, w.future, new AsynchronousCloseException());
        }
    }

    @Override
    public String toString() {
        return "AsyncTcpListener{" + local + (closed ? ", closed}" : "}");
    }
}
