package io.pollen.http;

import io.pollen.http.codec.Limits;
import io.pollen.net.TcpListener;
import io.pollen.net.UnixListener;
import io.pollen.net.UnixSocketAddress;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
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
 * {@snippet class=io.pollen.http.snippets.HttpSnippetsTest region=server}
 *
 * <p><b>Protocol:</b> keep-alive and pipelining (responses in request order; responses to requests
 * read together leave in one write), Content-Length and chunked request bodies (read completely
 * before the handler runs), {@code Expect: 100-continue}, {@code Connection: close}, HTTP/1.0
 * (closes unless keep-alive was asked for), HEAD (fields of GET, no body), Date and Server fields.
 * Refused requests get their status and a clean close: 400 malformed (chunked framing included:
 * it is checked strictly, RFC 9112 §7.1), 408 header or request timeout or a body slower than the
 * minimum rate (see {@link Builder#requestTimeout}), 413 body
 * too large, 414 request line too long, 417 unknown expectation, 431 header section too large,
 * 501 unsupported transfer coding, 505 unsupported version; a handler's exception gets 500.
 *
 * <p><b>TLS:</b> {@link Builder#tls} turns the listener into an HTTPS one (the JDK's SSLEngine,
 * TLS 1.3 and 1.2, close_notify sent before the connection's write half is shut down; client
 * certificates with {@link Builder#tls(javax.net.ssl.SSLContext, io.pollen.tls.ClientAuth)}). Idle
 * kept-alive TLS connections hold no buffer: their records go through the loop's pool.
 *
 * <p><b>Faults:</b> beyond {@link Builder#maxConnections} open connections, new ones are answered
 * 503 and closed. When {@code accept} fails for want of file descriptors ({@code EMFILE},
 * {@code ENFILE}), the loop does not spin and does not die: it closes a descriptor it keeps in
 * reserve, accepts the queued client, answers it 503 and closes it, re-opens the reserve; clients
 * it cannot take that way wait while accepting pauses (retried every 10 ms..1 s, and whenever a
 * connection closes); accepting resumes by itself; one warning per episode. Any {@code Throwable}
 * while parsing, handling or encoding a request ({@link OutOfMemoryError} and
 * {@link StackOverflowError} included, thrown by a handler or completing its stage) costs that one
 * connection: it is answered 500 if nothing of its response was encoded yet, then closed and its
 * descriptor released; the loop serves on. (A handler's {@link Exception} is answered 500 and the
 * connection kept.) Reports of these go through {@link io.pollen.runtime.LastResort}, which
 * cannot throw.
 *
 * <p><b>Shutdown:</b> {@link #shutdown(Duration)} drains (stops accepting, answers the requests in
 * flight with {@code Connection: close}, closes idle connections, force-closes the rest at the
 * deadline); {@link #close()} closes everything at once. {@link Runtime#shutdown(Duration)} drains
 * every server started on that runtime within its own deadline.
 *
 * <p><b>Not supported:</b> HTTP/2, upgrades, streamed request or response bodies, response
 * compression, percent-decoding of paths. Timeouts are approximate: they fire within a sweep
 * period (a quarter of the shortest timeout, at most a second) after they are due.
 */
public final class HttpServer implements AutoCloseable {
    /** {@link Builder#maxConnections}'s default: the open connections one server keeps at most. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /** Everything a connection needs to know, fixed at {@link Builder#start}. */
    record Config(Limits limits, long headerTimeoutNanos, long idleTimeoutNanos, long requestTimeoutNanos,
                  long minBodyRate, long bodyRateGraceNanos, int readBufferSize,
                  int writeBufferSize, String serverName, Handler fallback, AsyncHandler fallbackAsync,
                  int maxUnsentBytes, int resumeBelowBytes, long pooledBufferBytes, int maxConnections,
                  javax.net.ssl.SSLContext tls, io.pollen.tls.ClientAuth clientAuth) {
    }

    private final Config config;
    private final Router router;
    private final List<ServerLoop> loops = new ArrayList<>();
    private final SocketAddress localAddress;
    private volatile boolean closed;
    /** The drain, once {@link #shutdown} was called. */
    private CompletableFuture<Boolean> drain;
    /** Removes this server from its runtime's graceful shutdown. */
    private final Runnable leaveRuntime;
    /** Open connections over all loops (one atomic add per connection, none per request). */
    final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();

    private HttpServer(Config config, Router router, Runtime runtime, SocketAddress bind, int backlog)
            throws IOException {
        this.config = config;
        this.router = router;
        this.leaveRuntime = runtime.onShutdown(this::shutdown);
        List<EventLoop> eventLoops = runtime.loops();
        boolean reusePort = eventLoops.size() > 1;
        SocketAddress address = bind;
        try {
            if (bind instanceof UnixSocketAddress unix) {
                // One listener: SO_REUSEPORT does not spread Unix connections, so one loop serves them.
                EventLoop loop = eventLoops.get(0);
                loops.add(new ServerLoop(this, loop, UnixListener.bind(unix, loop.backend(), backlog)));
            } else {
                // The first listener picks the port (if 0 was asked for); the others share it.
                for (EventLoop loop : eventLoops) {
                    TcpListener l = TcpListener.bind((InetSocketAddress) address, loop.backend(), backlog, reusePort);
                    address = l.localAddress();
                    loops.add(new ServerLoop(this, loop, l));
                }
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

    /**
     * The TCP address the server listens on (with the real port when 0 was asked for).
     *
     * @throws IllegalStateException if it listens on a Unix socket (see {@link #address()})
     */
    public InetSocketAddress localAddress() {
        if (localAddress instanceof InetSocketAddress ip) {
            return ip;
        }
        throw new IllegalStateException("the server listens on the Unix socket " + localAddress + ", not on TCP");
    }

    /** The address the server listens on: an {@link InetSocketAddress} or a {@link UnixSocketAddress}. */
    public SocketAddress address() {
        return localAddress;
    }

    /** The TCP port; see {@link #localAddress()}. */
    public int port() {
        return localAddress().getPort();
    }

    /**
     * Graceful drain: closes the listeners at once (new connections are refused), closes idle
     * keep-alive connections at once, lets every request in progress (being received, handled or
     * sent) finish and answers it with {@code Connection: close}, then closes its connection.
     * Requests pipelined behind it are not started (the client sees the close and retries). At
     * {@code deadline} the connections left are closed and their handlers' stages cancelled (see
     * {@link AsyncHandler}). The header, request and idle timeouts keep running meanwhile.
     *
     * <p>Does not block: the returned future completes (usually on a loop's thread) once every
     * connection is closed — with {@code true} if all finished by themselves, {@code false} if some
     * were closed at the deadline (or the runtime stopped the loops first; then a second after the
     * deadline at the latest). Call {@code join()} to wait.
     * Idempotent: a second call returns the first drain. {@link #close()} during a drain ends it
     * at once. Does not close the runtime.
     */
    public synchronized CompletableFuture<Boolean> shutdown(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (drain == null) {
            leaveRuntime.run();
            Duration left = deadline.isNegative() ? Duration.ZERO : deadline;
            List<CompletableFuture<Boolean>> each = new ArrayList<>();
            for (ServerLoop sl : loops) {
                sl.drainOnLoop(left);
                each.add(sl.drained);
            }
            CompletableFuture<Boolean> all = new CompletableFuture<>();
            CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).whenComplete((v, e) ->
                    all.complete(e == null && each.stream().allMatch(CompletableFuture::join)));
            // A loop stopped by its runtime mid-drain never reports: bound the wait.
            all.completeOnTimeout(false, Deadlines.nanos(left) + 1_000_000_000L, TimeUnit.NANOSECONDS);
            drain = all;
        }
        return drain.copy();
    }

    /**
     * Stops accepting and closes every connection, in-flight requests included (their handlers'
     * stages are cancelled); waits (bounded) for the loops to do it. Idempotent. Does not close the
     * runtime.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        leaveRuntime.run();
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

    /** The per-loop parts, in loop order (tests reach the accept seam through them). */
    List<ServerLoop> serverLoops() {
        return loops;
    }

    /** Connections currently open, on all loops. */
    public int connectionCount() {
        return openConnections.get();
    }

    Router router() {
        return router;
    }

    /**
     * The direct-buffer counters of every loop, summed; asks each loop for its own (waits at most
     * a few seconds for a busy loop; a loop that has closed counts what it last had). Meant for
     * tests and statistics, not for a hot path: do not call it from a handler (it waits for the
     * other loops).
     */
    public BufferStats bufferStats() {
        BufferStats sum = BufferStats.ZERO;
        for (ServerLoop sl : loops) {
            CompletableFuture<BufferStats> f = new CompletableFuture<>();
            if (sl.loop().inLoop()) {
                f.complete(sl.bufferStats());
            } else {
                try {
                    sl.loop().execute(() -> f.complete(sl.bufferStats()));
                } catch (RuntimeException e) {
                    f.complete(sl.bufferStats()); // the loop is gone: nothing changes them any more
                }
            }
            try {
                sum = sum.plus(f.get(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading buffer counters", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("loop " + sl.loop() + " did not report its buffer counters", e);
            }
        }
        return sum;
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
        private SocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
        private int backlog = TcpListener.DEFAULT_BACKLOG;
        private Limits limits = Limits.DEFAULT;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private long minBodyRate = 240;
        private Duration bodyRateGrace = Duration.ofSeconds(5);
        private int readBufferSize = 16 * 1024;
        private int writeBufferSize = 16 * 1024;
        private int maxUnsentBytes = 256 * 1024;
        private int resumeBelowBytes = 64 * 1024;
        private long pooledBufferBytes = 32L * 1024 * 1024;
        private String serverName = "pollen";
        private Handler fallback = req -> ResponseEncoder.error(404, null);
        private AsyncHandler fallbackAsync;
        private javax.net.ssl.SSLContext tls;
        private io.pollen.tls.ClientAuth clientAuth = io.pollen.tls.ClientAuth.NONE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;

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
            return tls(context, io.pollen.tls.ClientAuth.NONE);
        }

        /**
         * Serves HTTPS as {@link #tls(javax.net.ssl.SSLContext)} does, and asks clients for a
         * certificate (mutual TLS): {@link io.pollen.tls.ClientAuth#REQUIRE} refuses the handshake
         * of a client without a trusted one, {@code REQUEST} also serves clients that send none.
         * The certificates are checked against the context's trust (e.g.
         * {@link io.pollen.tls.TlsContexts#server(io.pollen.tls.TlsIdentity, java.nio.file.Path)}'s
         * client CA file); handlers see the verified chain in {@link HttpRequest#clientCertificates()}.
         */
        public Builder tls(javax.net.ssl.SSLContext context, io.pollen.tls.ClientAuth clientAuth) {
            this.tls = context;
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /** The address to listen on; default 127.0.0.1 on a free port. */
        public Builder bind(InetSocketAddress address) {
            this.bind = Objects.requireNonNull(address);
            return this;
        }

        /**
         * Listens on a Unix domain socket file instead of TCP, as Docker's API does
         * ({@code curl --unix-socket PATH http://localhost/...}). The file is created on start (it
         * must not exist: {@code EADDRINUSE}) and removed on {@link HttpServer#close()} if it is
         * still the server's. One loop serves Unix connections (the kernel cannot spread them);
         * {@link HttpRequest#remoteAddress()} is {@code null}. On the nio backend, paths work and
         * Linux abstract names do not.
         */
        public Builder bindUnix(Path path) {
            return bindUnix(UnixSocketAddress.of(path));
        }

        /** As {@link #bindUnix(Path)}, with any {@link UnixSocketAddress} (e.g. a Linux abstract name). */
        public Builder bindUnix(UnixSocketAddress address) {
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

        /**
         * Answers requests no route matches with an async handler (default: 404): as
         * {@link #handler(Handler)}, but the response may come later, from any thread; a failed
         * stage is answered with 500. Replaces an earlier {@code handler}.
         */
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
            this.limits = new Limits(maxRequestLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes,
                    limits.maxChunkLineBytes(), limits.maxTrailerBytes());
            return this;
        }

        /**
         * Limits of a chunked request body's framing: one chunk-size line (size, extensions and
         * CRLF) and the whole trailer section; past either the request is answered 400 and the
         * connection closed. Defaults: 1 KiB and 8 KiB.
         */
        public Builder chunkedLimits(int maxChunkLineBytes, int maxTrailerBytes) {
            this.limits = limits.withChunked(maxChunkLineBytes, maxTrailerBytes);
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

        /**
         * How long a client has to send a whole request, head and body, from its first byte to
         * the last; default 30 s. Unlike the idle timeout, progress does not extend it, so a client
         * that trickles a byte now and then is cut off too. Past it the client is answered
         * {@code 408 Request Timeout} and the connection closed. The time a handler takes is not
         * counted (the request has arrived by then).
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout);
            return this;
        }

        /**
         * The slowest a request body may arrive: once {@code grace} has passed since the body
         * began (the end of the head), its average rate since then must stay at or above
         * {@code bytesPerSecond}, or the client is answered {@code 408 Request Timeout} and the
         * connection closed. Default 240 bytes/s after 5 s (Kestrel's figures); 0 turns it off
         * (the idle and request timeouts still apply).
         */
        public Builder minBodyRate(long bytesPerSecond, Duration grace) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("negative body rate: " + bytesPerSecond);
            }
            if (grace.isNegative()) {
                throw new IllegalArgumentException("negative grace: " + grace);
            }
            this.minBodyRate = bytesPerSecond;
            this.bodyRateGrace = grace;
            return this;
        }

        /**
         * The per-connection read buffer and initial write buffer sizes; default 16 KiB each, at
         * least 256 bytes. They bound no message: a request head or body larger than the read
         * buffer is parsed across reads (the {@link #limits} bound it), and the write buffer grows
         * for a larger response. Smaller buffers mean less memory per busy connection, more reads.
         */
        public Builder bufferSizes(int read, int write) {
            if (read < 256 || write < 256) {
                throw new IllegalArgumentException("buffers smaller than 256 bytes");
            }
            this.readBufferSize = read;
            this.writeBufferSize = write;
            return this;
        }

        /**
         * The bound on a connection's unsent output: once more than {@code maxUnsent} bytes of
         * responses wait for a client that does not read them, the server stops reading (and
         * parsing) that connection's pipelined requests, and resumes once fewer than
         * {@code resumeBelow} bytes wait. A response is never cut, so the output can reach the
         * bound plus one response. A client that reads nothing at all is closed by the idle
         * timeout. Defaults: 256 KiB and 64 KiB.
         */
        public Builder unsentOutputBound(int maxUnsent, int resumeBelow) {
            if (maxUnsent < 1 || resumeBelow < 0 || resumeBelow > maxUnsent) {
                throw new IllegalArgumentException("need 0 <= resumeBelow <= maxUnsent and maxUnsent >= 1: "
                        + maxUnsent + ", " + resumeBelow);
            }
            this.maxUnsentBytes = maxUnsent;
            this.resumeBelowBytes = resumeBelow;
            return this;
        }

        /**
         * How many bytes of free direct buffers each loop keeps for reuse; default 32 MiB. Buffers
         * come in size classes (the buffer size times a power of two, up to 16 MiB); one given
         * back beyond this cap, or larger than the largest class, is freed at once. Memory in use
         * by connections is not counted here: it is bounded by the connections, the body limit
         * and {@link #unsentOutputBound}. See {@link HttpServer#bufferStats()}.
         */
        public Builder pooledBufferBytes(long bytesPerLoop) {
            if (bytesPerLoop < 0) {
                throw new IllegalArgumentException("pooledBufferBytes must be >= 0: " + bytesPerLoop);
            }
            this.pooledBufferBytes = bytesPerLoop;
            return this;
        }

        /**
         * The most connections the server keeps open at once, over all its loops; default
         * {@value HttpServer#DEFAULT_MAX_CONNECTIONS}. A connection accepted beyond it is answered
         * {@code 503 Service Unavailable} with {@code Connection: close} and closed (after a
         * bounded linger, so that the client reads the answer; far beyond the limit, at once).
         * Not a substitute for a large enough {@code ulimit -n}: when the process runs out of
         * descriptors first, the server backs off from accepting and answers queued clients 503
         * through a reserved descriptor (see the class's "Faults").
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1: " + max);
            }
            this.maxConnections = max;
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
            Config c = new Config(limits, Deadlines.nanos(headerTimeout), Deadlines.nanos(idleTimeout),
                    Deadlines.nanos(requestTimeout), minBodyRate, Deadlines.nanos(bodyRateGrace), readBufferSize,
                    writeBufferSize, serverName, fallback, fallbackAsync, maxUnsentBytes, resumeBelowBytes,
                    pooledBufferBytes, maxConnections, tls, clientAuth);
            return new HttpServer(c, router, runtime, bind, backlog);
        }
    }
}
