package io.pollen.cli;

import io.pollen.http.DemoRoutes;
import io.pollen.http.HttpServer;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.tls.ClientAuth;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

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
    /** The HTTPS listener beside the plain one ({@code --tls-port}), else null. */
    private final HttpServer tlsServer;
    private final boolean tls;

    private DemoServer(Runtime runtime, HttpServer server, HttpServer tlsServer, boolean tls) {
        this.runtime = runtime;
        this.server = server;
        this.tlsServer = tlsServer;
        this.tls = tls;
    }

    /** Starts the demo server on the loopback interface; port 0 picks a free port. */
    static DemoServer start(Backend backend, int loops, int port) throws IOException {
        return start(backend, loops, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Starts the demo server on {@code address} with {@code loops} event-loop threads. */
    static DemoServer start(Backend backend, int loops, InetSocketAddress address) throws IOException {
        return start(backend, loops, address, HttpServer.DEFAULT_MAX_CONNECTIONS, null, -1);
    }

    /** As above, refusing connections beyond {@code maxConnections} with 503. */
    static DemoServer start(Backend backend, int loops, InetSocketAddress address, int maxConnections)
            throws IOException {
        return start(backend, loops, address, maxConnections, null, -1);
    }

    /** Starts the demo server on a Unix socket file (which must not exist; removed on close). */
    static DemoServer startUnix(Backend backend, int loops, Path path, int maxConnections) throws IOException {
        return start(backend, loops, b -> b.bindUnix(path), maxConnections, null, ClientAuth.NONE, null);
    }

    /**
     * Refusing connections beyond {@code maxConnections} with 503. With {@code tls}: HTTPS on
     * {@code address}, or, when {@code tlsPort} is not negative, plain HTTP on {@code address} and
     * HTTPS on {@code tlsPort} of the same host, on the same loops.
     */
    static DemoServer start(Backend backend, int loops, InetSocketAddress address, int maxConnections,
                            SSLContext tls, int tlsPort) throws IOException {
        return start(backend, loops, address, maxConnections, tls, ClientAuth.NONE, tlsPort);
    }

    /** As above, asking HTTPS clients for a certificate as {@code clientAuth} says (mutual TLS). */
    static DemoServer start(Backend backend, int loops, InetSocketAddress address, int maxConnections,
                            SSLContext tls, ClientAuth clientAuth, int tlsPort) throws IOException {
        return start(backend, loops, b -> b.bind(address), maxConnections, tls, clientAuth,
                tls != null && tlsPort >= 0 ? new InetSocketAddress(address.getAddress(), tlsPort) : null);
    }

    /** {@code tlsBeside}: where an HTTPS listener runs beside the plain one, or null for none. */
    private static DemoServer start(Backend backend, int loops, UnaryOperator<HttpServer.Builder> bind,
                                    int maxConnections, SSLContext tls, ClientAuth clientAuth,
                                    InetSocketAddress tlsBeside)
            throws IOException {
        Runtime runtime = runtimeForTests.apply(Runtime.builder().backend(backend).loops(loops)
                .threadNamePrefix("pollen-server")).build();
        try {
            // A deep accept queue: `demo --tasks 10000` connects all at once, and a full queue makes
            // the kernel drop SYNs, which clients retry only after a second. The kernel caps it
            // at net.core.somaxconn.
            boolean sideBySide = tlsBeside != null;
            HttpServer.Builder main = DemoRoutes.install(bind.apply(HttpServer.builder()).backlog(BACKLOG)
                    .maxConnections(maxConnections));
            HttpServer server = (tls != null && !sideBySide ? main.tls(tls, clientAuth) : main).start(runtime);
            if (!sideBySide) {
                return new DemoServer(runtime, server, null, tls != null);
            }
            try {
                HttpServer secure = DemoRoutes.install(HttpServer.builder().bind(tlsBeside)
                        .backlog(BACKLOG).maxConnections(maxConnections).tls(tls, clientAuth)).start(runtime);
                return new DemoServer(runtime, server, secure, false);
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /**
     * {@code http://host:port} (https when the main listener is TLS), without a trailing slash;
     * {@code http://localhost} on a Unix socket.
     */
    String url() {
        return url(server, tls);
    }

    /** The HTTPS listener's URL when it runs beside the plain one, else null. */
    String tlsUrl() {
        return tlsServer == null ? null : url(tlsServer, true);
    }

    private static String url(HttpServer s, boolean https) {
        if (!(s.address() instanceof InetSocketAddress a)) {
            return "http://localhost";   // what curl --unix-socket is given: the Host, not where to connect
        }
        String host = a.getAddress().getHostAddress();
        return (https ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** Where the server listens: {@code url()}, or {@code unix:PATH} on a Unix socket. */
    String where() {
        return server.address() instanceof InetSocketAddress ? url() : "unix:" + server.address();
    }

    /** Completes with what killed an event loop, if one dies (see {@link Runtime#failure()}). */
    java.util.concurrent.CompletableFuture<Throwable> failure() {
        return runtime.failure();
    }

    int loops() {
        return runtime.loops().size();
    }

    /** Each loop's statistics (for {@code serve --stats}). */
    java.util.List<io.pollen.runtime.LoopStats> stats() {
        return runtime.stats();
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
            forceClose();
        }
    }

    /** Closes every connection now (a drain in progress ends at once); the runtime stays. */
    void forceClose() {
        if (tlsServer != null) {
            tlsServer.close();
        }
        server.close();
    }

    @Override
    public void close() {
        try {
            forceClose();
        } finally {
            runtime.close();
        }
    }
}
