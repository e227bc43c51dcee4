package io.pollen.bench.servers;

import io.pollen.http.Handler;
import io.pollen.http.HttpServer;
import io.pollen.http.Response;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Pollen in the comparative harness: {@link HttpServer} answering {@code GET /plaintext} and
 * {@link PollenEcho} on the runtime's low-level readiness API, both on one {@link Runtime}.
 *
 * <pre>--http-port P --echo-port Q [--backend epoll|nio|io_uring|kqueue] [--loops N]</pre>
 *
 * <p>The route returns one prebuilt {@link Response} (the server allocates nothing to send it);
 * the Server field is the harness's common value so every server sends the same headers. With N
 * loops both the HTTP server and the echo server bind one SO_REUSEPORT listener per loop.
 */
public final class PollenServer {

    /** The one response of {@code GET /plaintext}, built once. */
    public static final Response PLAINTEXT =
            Response.of(200, "text/plain", PlaintextHttp.BODY.getBytes(StandardCharsets.US_ASCII));

    public static void main(String[] args) throws Exception {
        ServerOptions opts = ServerOptions.parse(args, "epoll");
        Backend backend = Backend.byName(opts.transport()); // epoll, nio, io_uring, kqueue; others are refused
        if (!backend.isAvailable()) {
            ServerOptions.unavailable("pollen " + backend.id() + " backend is not available here: " + backend.unavailableReason());
        }
        Runtime runtime;
        try {
            runtime = Runtime.builder().backend(backend).loops(opts.loops()).threadNamePrefix("pollen-").build();
        } catch (UnsupportedOperationException e) {
            // A backend that exists in the enum but is not implemented in this build.
            ServerOptions.unavailable("pollen " + opts.transport() + ": " + e.getMessage());
            return;
        }
        startHttp(runtime, new InetSocketAddress("127.0.0.1", opts.httpPort()), req -> PLAINTEXT);
        PollenEcho.start(runtime, new InetSocketAddress("127.0.0.1", opts.echoPort()));
        if (opts.unixPath() != null) {
            PollenEcho.startUnix(runtime, java.nio.file.Path.of(opts.unixPath()));
        }
        ServerOptions.ready("pollen-" + opts.transport() + " loops=" + opts.loops());
        Thread.currentThread().join(); // the harness stops us with SIGTERM
    }

    /**
     * The harness's HTTP server: {@code GET /plaintext} answered by {@code plaintext} (normally
     * {@code req -> PLAINTEXT}; the allocation probe wraps it to count requests).
     */
    public static HttpServer startHttp(Runtime runtime, InetSocketAddress address, Handler plaintext)
            throws IOException {
        return HttpServer.builder()
                .bind(address)
                .backlog(4096)
                // No connection limit, like every other server here: the default (10,000) would answer
                // the scale run's active connections 503 beside its 10,000 idle ones.
                .maxConnections(Integer.MAX_VALUE)
                .serverName(PlaintextHttp.SERVER)
                .route("GET", "/plaintext", plaintext)
                .start(runtime);
    }
}
