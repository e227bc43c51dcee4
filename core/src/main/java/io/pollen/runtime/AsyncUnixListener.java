package io.pollen.runtime;

import io.pollen.net.TcpListener;
import io.pollen.net.UnixListener;
import io.pollen.net.UnixSocketAddress;
import io.pollen.net.UnixStream;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A listening Unix domain socket driven by an {@link EventLoop}: {@link AsyncTcpListener}'s
 * machinery (waiting accepts queued in order, hand-over to another loop, failure of waiters on
 * close) over a {@link UnixListener}. Closing it removes the socket file, as
 * {@link UnixListener#close()} does: only if the path still names the file it created.
 *
 * <pre>{@code
 * AsyncUnixListener server = AsyncUnixListener.bind(loop, UnixSocketAddress.of(dir.resolve("app.sock")));
 * server.accept().thenAccept(conn -> ...);
 * }</pre>
 */
public final class AsyncUnixListener implements AutoCloseable {
    private final AsyncTcpListener engine;
    private final UnixSocketAddress local;

    private AsyncUnixListener(AsyncTcpListener engine, UnixSocketAddress local) {
        this.engine = engine;
        this.local = local;
    }

    /** Binds and listens on {@code address}, on {@code loop}; {@code EADDRINUSE} if a file is there. */
    public static AsyncUnixListener bind(EventLoop loop, UnixSocketAddress address) throws IOException {
        Objects.requireNonNull(loop, "loop");
        UnixListener l = UnixListener.bind(address, loop.backend(), TcpListener.DEFAULT_BACKLOG);
        return new AsyncUnixListener(AsyncTcpListener.start(new AsyncTcpListener(loop, l)), l.localAddress());
    }

    /** The bound address. */
    public UnixSocketAddress localAddress() {
        return local;
    }

    public EventLoop loop() {
        return engine.loop();
    }

    /** The next connection, registered with this listener's loop. */
    public CompletableFuture<AsyncUnixStream> accept() {
        return accept(engine.loop());
    }

    /**
     * The next connection, registered with {@code target}; the future completes on {@code target}.
     * Cancelling it gives up the accept; a connection accepted meanwhile is closed, not leaked.
     */
    public CompletableFuture<AsyncUnixStream> accept(EventLoop target) {
        CompletableFuture<AsyncTcpStream> inner = engine.accept(target);
        CompletableFuture<AsyncUnixStream> outer = new CompletableFuture<>();
        inner.whenComplete((a, e) -> {
            if (e != null) {
                outer.completeExceptionally(Completions.unwrap(e));
            } else if (!outer.complete(new AsyncUnixStream(a, (UnixStream) a.stream()))) {
                a.close();   // the caller gave up before the connection arrived
            }
        });
        outer.whenComplete((v, e) -> {
            if (outer.isCancelled()) {
                inner.cancel(false);
            }
        });
        return outer;
    }

    /** Whether {@link #close()} was called. */
    public boolean isOpen() {
        return engine.isOpen();
    }

    /** Stops listening and removes the socket file; waiting accepts fail. Any thread. */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "AsyncUnixListener{" + local + (isOpen() ? "}" : ", closed}");
    }
}
