package io.pollen.http;

import io.pollen.http.codec.BufferPool;
import io.pollen.http.codec.DateCache;
import io.pollen.net.StreamListener;
import io.pollen.net.StreamSocket;
import io.pollen.net.TcpStream;
import io.pollen.poll.Interest;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.LastResort;
import io.pollen.runtime.Readiness;
import io.pollen.runtime.Registration;
import io.pollen.runtime.TimerHandle;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * The part of an {@link HttpServer} that lives on one event loop: its listener (one per loop,
 * SO_REUSEPORT when there are several, so the kernel spreads connections), the connections it
 * accepted, the Date cache and the timeout sweep. Everything here runs on the loop's thread.
 *
 * <p>Timeouts are swept by one interval timer per loop rather than a timer per connection: each
 * connection keeps a deadline, the sweep closes those that passed. Its period bounds how late a
 * timeout fires (a quarter of the shortest timeout, within 10 ms..1 s).
 *
 * <p>A drain ({@link #drain}) closes the listener, closes idle connections, lets the others
 * finish the request in progress (answered with {@code Connection: close}) and force-closes what
 * is left at its deadline; {@link #drained} completes when no connection is left.
 */
final class ServerLoop {
    private static final System.Logger LOG = System.getLogger("io.pollen.http");

    private final HttpServer server;
    private final EventLoop loop;
    private final StreamListener listener;
    private final ResponseEncoder encoder;
    private final ArrayList<ServerConnection> connections = new ArrayList<>();
    /**
     * Read and write buffers by size class, held by connections only while bytes are in flight;
     * closed (its memory freed) when the loop's part of the server closes.
     */
    final BufferPool buffers;
    private Registration registration;
    private TimerHandle sweep;
    private boolean closing;
    /** Failed accepts: back-off, the reserve descriptor, the one warning per episode. */
    private final AcceptGuard guard;
    /** The listener's accept; a test may stand in for it ({@link #acceptWith}). */
    private AcceptGuard.Acceptor acceptor;
    /** Completes once a drain or close has ended: true if every connection finished by itself. */
    final CompletableFuture<Boolean> drained = new CompletableFuture<>();
    private boolean draining;
    private boolean closed;
    private TimerHandle drainDeadline;

    ServerLoop(HttpServer server, EventLoop loop, StreamListener listener) {
        this.server = server;
        this.loop = loop;
        this.listener = listener;
        this.encoder = new ResponseEncoder(new DateCache(), server.config().serverName());
        HttpServer.Config c = server.config();
        this.buffers = new BufferPool(Math.min(c.readBufferSize(), c.writeBufferSize()), MAX_POOLED_CLASS,
                c.pooledBufferBytes());
        this.acceptor = listener::accept;
        this.guard = new AcceptGuard(loop, this::accept);
    }

    /** Registers the listener and starts the sweep; on the loop. */
    void start() {
        registration = loop.register(listener, Interest.READABLE, flags -> {
            if ((flags & Readiness.ANY_READ) != 0 && !guard.paused()) {
                accept();
            }
        });
        HttpServer.Config c = config();
        long min = Math.min(c.headerTimeoutNanos(), Math.min(c.idleTimeoutNanos(), c.requestTimeoutNanos()));
        if (c.minBodyRate() > 0 && c.bodyRateGraceNanos() > 0) {
            min = Math.min(min, c.bodyRateGraceNanos());
        }
        long period = Math.clamp(min / 4, 10_000_000L, 1_000_000_000L);
        sweep = loop.interval(Duration.ofNanos(period), this::sweep);
        accept(); // connections may be waiting already
    }

    private void accept() {
        while (!closing) {
            StreamSocket s;
            try {
                s = acceptor.accept();
            } catch (IOException e) {
                guard.failed(e, acceptor, listener);
                return;
            }
            if (s == null) {
                return;
            }
            guard.accepted();
            int open = server.openConnections.get();
            if (open - config().maxConnections() >= REFUSING_SLACK) { // no overflow: maxConnections may be Integer.MAX_VALUE
                guard.refuseNow(s); // far over the limit: no lingering answer, the fd back at once
                continue;
            }
            ServerConnection c = new ServerConnection(this, s);
            try {
                if (s instanceof TcpStream tcp) {
                    tcp.setNoDelay(true);   // a Unix socket has no Nagle to turn off
                }
                c.index = connections.size();
                connections.add(c);
                server.openConnections.incrementAndGet();
                c.start(loop.register(s, ServerConnection.interest(), c));
                if (open >= config().maxConnections()) {
                    c.refuse(); // 503 and Connection: close, lingering so that the client reads it
                }
            } catch (Throwable e) {
                LastResort.warn(LOG, "cannot set up connection", e);
                c.close();
            }
        }
    }

    /** Refused connections that may linger (to deliver their 503) beyond the limit, per server. */
    private static final int REFUSING_SLACK = 64;

    AcceptGuard guard() {
        return guard;
    }

    /** Replaces the listener's accept (tests: inject EMFILE); on the loop. */
    void acceptWith(AcceptGuard.Acceptor a) {
        this.acceptor = a;
    }

    /**
     * The largest pooled buffer class: a response up to about this size reuses pooled memory;
     * a larger one gets a buffer of its own, freed as soon as it is written.
     */
    private static final int MAX_POOLED_CLASS = 16 * 1024 * 1024;

    private void sweep() {
        long now = System.nanoTime();
        // Walk backwards: closing removes by swapping in the last element.
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (i >= connections.size()) {
                continue;
            }
            ServerConnection c = connections.get(i);
            if (c.deadline != 0 && now - c.deadline >= 0) {
                c.end.timedOut();
            }
        }
    }

    void removed(ServerConnection c) {
        int i = c.index;
        if (i < 0 || i >= connections.size() || connections.get(i) != c) {
            return;
        }
        ServerConnection last = connections.removeLast();
        if (last != c) {
            connections.set(i, last);
            last.index = i;
        }
        c.index = -1;
        server.openConnections.decrementAndGet();
        guard.connectionClosed();
        if (draining && !closed && connections.isEmpty()) {
            endDrain(true);
        }
    }

    /** Closes the listener: new connections are refused from now on. */
    private void stopAccepting() {
        closing = true;
        guard.close();
        if (registration != null) {
            registration.cancel();
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * Begins a graceful drain; on the loop. Idle connections close now, the others once their
     * request in progress is answered; after {@code timeLeft} the rest are closed.
     */
    void drain(Duration timeLeft) {
        if (draining || closed) {
            return;
        }
        draining = true;
        stopAccepting();
        // Look at the connections after the loop's next poll: requests that already arrived are
        // dispatched to their connections by it first, in the usual way. (The idle look alone
        // would also see them on every backend: on io_uring a read absorbs what waits unreaped.)
        try {
            loop.execute(() -> drainConnections(timeLeft));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            drainConnections(timeLeft);
        }
    }

    /** The drain's second step, one loop turn after {@link #drain}: idle connections close. */
    private void drainConnections(Duration timeLeft) {
        if (closed) {
            return;
        }
        for (int i = connections.size() - 1; i >= 0; i--) {
            if (i < connections.size()) { // closing removes by swapping in the last element
                connections.get(i).end.beginDrain();
            }
        }
        if (connections.isEmpty()) {
            endDrain(true);
        } else {
            drainDeadline = loop.schedule(timeLeft, this::close);
        }
    }

    private void endDrain(boolean graceful) {
        if (drainDeadline != null) {
            drainDeadline.cancel();
        }
        if (sweep != null) {
            sweep.cancel();
        }
        drained.complete(graceful);
    }

    /** Stops accepting and closes every connection (a drain's deadline, or a plain close); on the loop. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopAccepting();
        boolean none = connections.isEmpty();
        while (!connections.isEmpty()) {
            connections.getLast().close();
        }
        buffers.close(); // every connection gave its buffers back above: free the memory now
        endDrain(none);
    }

    /** This loop's buffer counters; on the loop. */
    BufferStats bufferStats() {
        return new BufferStats(buffers.allocations(), buffers.hits(), buffers.returns(), buffers.frees(),
                buffers.bytesHeld(), buffers.bytesInUse());
    }

    /** Runs {@link #close()} on the loop; completes when done (at once if the loop is gone). */
    CompletableFuture<Void> closeOnLoop() {
        return onLoop(this::close);
    }

    /** Runs {@link #drain} on the loop; {@link #drained} says when the drain has ended. */
    void drainOnLoop(Duration timeLeft) {
        onLoop(() -> drain(timeLeft));
    }

    private CompletableFuture<Void> onLoop(Runnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (loop.inLoop()) {
            action.run();
            done.complete(null);
            return done;
        }
        try {
            loop.execute(() -> {
                try {
                    action.run();
                } finally {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            // The loop is closed: it closed the registered sockets; make sure of the listener and
            // the reserve descriptor, and free the buffers (nothing runs on the loop any more to
            // race with; the pool may close off its loop).
            try {
                listener.close();
            } catch (IOException ignored) {
                // best effort
            }
            guard.close();
            buffers.close();
            drained.complete(true);
            done.complete(null);
        }
        return done;
    }

    int connectionCount() {
        return connections.size();
    }

    HttpServer.Config config() {
        return server.config();
    }

    Router router() {
        return server.router();
    }

    ResponseEncoder encoder() {
        return encoder;
    }

    EventLoop loop() {
        return loop;
    }

    boolean isClosing() {
        return closing;
    }

    StreamListener listener() {
        return listener;
    }
}
