package io.pollen.cli;

import io.pollen.http.DemoRoutes;
import io.pollen.http.HttpServer;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Pollen's demo server ({@link DemoRoutes}: {@code /delay/{ms}/...}, {@code /plaintext},
 * {@code /echo}) on a runtime of its own, for {@code pollen demo} and {@code pollen serve}.
 *
 * <p>Its own runtime, so that the demo's client task runs on a loop that does nothing else and
 * the demo's thread figures describe the client side. Closing stops the server, then the runtime
 * (joining its loop threads).
 */
final class DemoServer implements AutoCloseable {
    /** The listen backlog asked for; Linux caps it at {@code net.core.somaxconn} (4096 by default). */
    static final int BACKLOG = 65_535;

    /** Tests adjust the server's runtime here (e.g. a clock that breaks, to kill a loop). */
    static volatile java.util.function.UnaryOperator<Runtime.Builder> runtimeForTests = b -> b;

    private final Runtime runtime;
    private final HttpServer server;

    private DemoServer(Runtime runtime, HttpServer server) {
        this.runtime = runtime;
        this.server = server;
    }

    /** Starts the demo server on the loopback interface; port 0 picks a free port. */
    static DemoServer start(Backend backend, int loops, int port) throws IOException {
        return start(backend, loops, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Starts the demo server on {@code address} with {@code loops} event-loop threads. */
    static DemoServer start(Backend backend, int loops, InetSocketAddress address) throws IOException {
        return start(backend, loops, address, HttpServer.DEFAULT_MAX_CONNECTIONS);
    }

    /** As above, refusing connections beyond {@code maxConnections} with 503. */
    static DemoServer start(Backend backend, int loops, InetSocketAddress address, int maxConnections)
            throws IOException {
        Runtime runtime = runtimeForTests.apply(Runtime.builder().backend(backend).loops(loops)
                .threadNamePrefix("pollen-server")).build();
        try {
            // A deep accept queue: `demo --tasks 10000` connects all at once, and a full queue makes
            // the kernel drop SYNs, which clients retry only after a second. The kernel caps it
            // at net.core.somaxconn.
            HttpServer server = DemoRoutes.install(HttpServer.builder().bind(address).backlog(BACKLOG)
                    .maxConnections(maxConnections)).start(runtime);
            return new DemoServer(runtime, server);
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** {@code http://host:port}, without a trailing slash. */
    String url() {
        InetSocketAddress a = server.localAddress();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** Completes with what killed an event loop, if one dies (see {@link Runtime#failure()}). */
    java.util.concurrent.CompletableFuture<Throwable> failure() {
        return runtime.failure();
    }

    int loops() {
        return runtime.loops().size();
    }

    /**
     * Graceful stop: the runtime's shutdown drains the server ({@link HttpServer#shutdown}) within
     * {@code timeout}, then joins the loops.
     *
     * @return true if every request in flight was answered before the deadline
     */
    boolean drain(Duration timeout) {
        try {
            return runtime.shutdown(timeout);
        } finally {
            server.close();
        }
    }

    /** Closes every connection now (a drain in progress ends at once); the runtime stays. */
    void forceClose() {
        server.close();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            runtime.close();
        }
    }
}
