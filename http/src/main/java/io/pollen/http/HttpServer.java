package io.pollen.http;

import io.pollen.http.codec.Limits;
import io.pollen.net.TcpListener;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A minimal, correct HTTP/1.1 server on a Pollen {@link Runtime}: one listener per event loop
 * (SO_REUSEPORT when there are several), connections served on the loop that accepted them through
 * the readiness API, with reused buffers and no allocation per request for a constant response.
 *
 * <pre>{@code
 * try (Runtime rt = Runtime.create();
 *      HttpServer server = HttpServer.builder()
 *              .bind(new InetSocketAddress("127.0.0.1", 8080))
 *              .route("GET", "/plaintext", req -> Response.text("Hello, World!"))
 *              .routeAsync("/delay/{ms}", req -> EventLoop.current()
 *                      .sleep(Duration.ofMillis(Long.parseLong(req.pathParam("ms"))))
 *                      .thenApply(v -> Response.text("done")))
 *              .start(rt)) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Protocol:</b> keep-alive and pipelining (responses in request order; responses to requests
 * read together leave in one write), Content-Length and chunked request bodies (read completely
 * before the handler runs), {@code Expect: 100-continue}, {@code Connection: close}, HTTP/1.0
 * (closes unless keep-alive was asked for), HEAD (fields of GET, no body), Date and Server fields.
 * Refused requests get their status and a clean close: 400 malformed, 408 header timeout, 413 body
 * too large, 414 request line too long, 417 unknown expectation, 431 header section too large,
 * 501 unsupported transfer coding, 505 unsupported version; a handler's exception gets 500.
 *
 * <p><b>TLS:</b> {@link Builder#tls} turns the listener into an HTTPS one (the JDK's SSLEngine,
 * TLS 1.3 and 1.2, close_notify sent before the connection's write half is shut down).
 *
 * <p><b>Not supported:</b> HTTP/2, upgrades, streamed request or response bodies, response
 * compression, percent-decoding of paths. Timeouts are approximate: they fire within a sweep
 * period (a quarter of the shortest timeout, at most a second) after they are due.
 */
public final class HttpServer implements AutoCloseable {

    /** Everything a connection needs to know, fixed at {@link Builder#start}. */
    record Config(Limits limits, long headerTimeoutNanos, long idleTimeoutNanos, int readBufferSize,
                  int writeBufferSize, String serverName, Handler fallback, AsyncHandler fallbackAsync,
                  javax.net.ssl.SSLContext tls) {
    }

    private final Config config;
    private final Router router;
    private final List<ServerLoop> loops = new ArrayList<>();
    private final InetSocketAddress localAddress;
    private volatile boolean closed;
    /** Open connections over all loops (one atomic add per connection, none per request). */
    final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();

    private HttpServer(Config config, Router router, Runtime runtime, InetSocketAddress bind, int backlog)
            throws IOException {
        this.config = config;
        this.router = router;
        List<EventLoop> eventLoops = runtime.loops();
        boolean reusePort = eventLoops.size() > 1;
        InetSocketAddress address = bind;
        try {
            // The first listener picks the port (if 0 was asked for); the others share it.
            for (EventLoop loop : eventLoops) {
                TcpListener l = TcpListener.bind(address, loop.backend(), backlog, reusePort);
                address = l.localAddress();
                loops.add(new ServerLoop(this, loop, l));
            }
            this.localAddress = address;
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (ServerLoop sl : loops) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                sl.loop().execute(() -> {
                    try {
                        sl.start();
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
                started.add(f);
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot start the server on its loops", e.getCause() != null ? e.getCause() : e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The address the server listens on (with the real port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public int port() {
        return localAddress.getPort();
    }

    /**
     * Stops accepting and closes every connection, in-flight requests included; waits (bounded)
     * for the loops to do it. Idempotent. Does not close the runtime.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (ServerLoop sl : loops) {
            done.add(sl.closeOnLoop());
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // a loop that does not answer is being closed by its runtime; nothing more to do here
        }
    }

    Config config() {
        return config;
    }

    /** Connections currently open, on all loops. */
    public int connectionCount() {
        return openConnections.get();
    }

    Router router() {
        return router;
    }

    @Override
    public String toString() {
        return "HttpServer[" + localAddress + ", " + loops.size() + " loop(s)]";
    }

    /**
     * Configures and starts an {@link HttpServer}. Routes are tried in the order added; see
     * {@link #route(String, String, Handler)} for the pattern syntax. Not thread-safe.
     */
    public static final class Builder {
        private final Router router = new Router();
        private InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
        private int backlog = TcpListener.DEFAULT_BACKLOG;
        private Limits limits = Limits.DEFAULT;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int readBufferSize = 16 * 1024;
        private int writeBufferSize = 16 * 1024;
        private String serverName = "pollen";
        private Handler fallback = req -> ResponseEncoder.error(404, null);
        private AsyncHandler fallbackAsync;
        private javax.net.ssl.SSLContext tls;

        private Builder() {
        }

        /**
         * Serves HTTPS: every connection runs the TLS handshake of {@code context} (a server context,
         * e.g. {@link io.pollen.tls.TlsContexts#server}) first; ALPN chooses {@code http/1.1}. Keep-alive,
         * pipelining, limits and timeouts apply as over plain TCP; the header timeout also bounds
         * the handshake. For plain and TLS side by side, start two servers on one runtime.
         * Default null: plain HTTP.
         */
        public Builder tls(javax.net.ssl.SSLContext context) {
            this.tls = context;
            return this;
        }

        /** The address to listen on; default 127.0.0.1 on a free port. */
        public Builder bind(InetSocketAddress address) {
            this.bind = Objects.requireNonNull(address);
            return this;
        }

        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /**
         * Answers requests for {@code method} (null: any method) whose path matches {@code pattern}
         * synchronously. Pattern segments are literals, {@code {name}} (one non-empty segment) or,
         * last, {@code {name...}} (the rest of the path, possibly empty); read them with
         * {@link HttpRequest#pathParam}. A GET route also answers HEAD.
         */
        public Builder route(String method, String pattern, Handler handler) {
            router.add(method, pattern, Objects.requireNonNull(handler), null);
            return this;
        }

        /** {@link #route(String, String, Handler)} for any method. */
        public Builder route(String pattern, Handler handler) {
            return route(null, pattern, handler);
        }

        /** As {@link #route(String, String, Handler)}, answered by a stage. */
        public Builder routeAsync(String method, String pattern, AsyncHandler handler) {
            router.add(method, pattern, null, Objects.requireNonNull(handler));
            return this;
        }

        public Builder routeAsync(String pattern, AsyncHandler handler) {
            return routeAsync(null, pattern, handler);
        }

        /** Answers requests no route matches (default: 404). */
        public Builder handler(Handler handler) {
            this.fallback = Objects.requireNonNull(handler);
            this.fallbackAsync = null;
            return this;
        }

        public Builder handlerAsync(AsyncHandler handler) {
            this.fallbackAsync = Objects.requireNonNull(handler);
            this.fallback = null;
            return this;
        }

        /**
         * Size limits: request line (414), header section and field count (431), body (413).
         * Defaults: 8 KiB, 16 KiB, 100 fields, 8 MiB.
         */
        public Builder limits(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes) {
            this.limits = new Limits(maxRequestLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes);
            return this;
        }

        /**
         * How long a client has to send a request head, from its first byte (or the accept) to
         * the empty line; default 10 s. A slow client is answered 408 and closed.
         */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = positive(timeout);
            return this;
        }

        /**
         * How long a connection may sit idle between requests, or make no progress reading a body
         * or taking a response; default 60 s.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout);
            return this;
        }

        /** The per-connection read buffer and initial write buffer sizes; default 16 KiB each. */
        public Builder bufferSizes(int read, int write) {
            if (read < 256 || write < 256) {
                throw new IllegalArgumentException("buffers smaller than 256 bytes");
            }
            this.readBufferSize = read;
            this.writeBufferSize = write;
            return this;
        }

        /** The Server field's value; null to send none. Default "pollen". */
        public Builder serverName(String name) {
            if (name != null) {
                HttpHeaders.checkValue(name);
            }
            this.serverName = name;
            return this;
        }

        private static Duration positive(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + d);
            }
            return d;
        }

        /**
         * Binds one listener per loop of {@code runtime} and starts serving. The runtime must
         * outlive the server.
         *
         * @throws IOException if binding fails (address in use, ...)
         */
        public HttpServer start(Runtime runtime) throws IOException {
            Config c = new Config(limits, headerTimeout.toNanos(), idleTimeout.toNanos(), readBufferSize,
                    writeBufferSize, serverName, fallback, fallbackAsync, tls);
            return new HttpServer(c, router, runtime, bind, backlog);
        }
    }
}
