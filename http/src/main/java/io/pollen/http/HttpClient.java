package io.pollen.http;

import io.pollen.http.codec.BufferPool;
import io.pollen.http.codec.Limits;
import io.pollen.net.UnixSocketAddress;
import io.pollen.runtime.AsyncStream;
import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.AsyncUnixStream;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;
import io.pollen.tls.TlsContexts;
import io.pollen.tls.TlsStream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Pollen's HTTP/1.1 client: asynchronous, on one event loop of a {@link Runtime}, with a small pool
 * of kept-alive connections per host.
 *
 * {@snippet class=io.pollen.http.snippets.HttpSnippetsTest region=client}
 *
 * <p>Every request returns a {@link CompletableFuture} completed on the client's loop; from a
 * virtual thread, {@code join()} parks without pinning a carrier. Host names are resolved off the
 * loop (on a virtual thread) and each address is tried in turn; IP literals, IPv6 in brackets
 * ({@code http://[::1]:8080/}), are used directly. A {@code Host} field is always sent. Response
 * bodies may be delimited by Content-Length, chunked, or the end of the connection.
 *
 * <p>Connections: one request at a time per connection (no pipelining); after a response that
 * allows it, the connection goes back to the pool (at most {@code maxIdlePerHost} per host, closed
 * after {@code idleTimeout}). A request on a pooled connection that the server had closed is
 * retried once on a new connection if nothing was received, whatever the method (the server
 * cannot have answered it).
 *
 * <p>Time limits, all optional and all saturating (a {@code Duration} too large for {@code long}
 * nanoseconds, such as {@code Duration.ofMillis(Long.MAX_VALUE)}, means "no limit", never an
 * overflow):
 * <ul>
 *   <li>the <b>request timeout</b> ({@link Builder#requestTimeout}, default 60 s, or per request
 *       with {@link #send(String, URI, HttpHeaders, byte[], Duration)}): the whole exchange, from
 *       {@code send} to the last byte of the body, name lookup, connect, write, interim (1xx)
 *       responses and a body trickled a byte at a time included;</li>
 *   <li>the <b>connect timeout</b>, per address tried;</li>
 *   <li>the <b>handshake timeout</b> of https connections ({@link Builder#handshakeTimeout});</li>
 *   <li>the <b>read timeout</b>: how long the server may stay silent, per read.</li>
 * </ul>
 * At most 16 interim responses are accepted before the final one.
 *
 * <p>https: TLS 1.3/1.2 through the JDK's SSLEngine ({@link io.pollen.tls.TlsStream}); the
 * certificate is checked against the JDK's trust store (or {@link Builder#tls}'s context) and must
 * name the host; SNI is sent and ALPN offers {@code http/1.1}; kept-alive TLS connections are
 * pooled like plain ones (by scheme, host and port). Handshake failures are
 * {@link javax.net.ssl.SSLHandshakeException}s whose message names the cause ("unknown CA: ...",
 * "certificate expired: ...", "certificate for wrong.host does not match localhost"); a handshake
 * slower than the handshake timeout fails with a {@link java.util.concurrent.TimeoutException}.
 *
 * <p>Failures: a {@link java.util.concurrent.TimeoutException} whose message says which limit ended
 * the request and how far the response had come ("no response within 5 s (the request deadline)",
 * "response stalled after 120 bytes: nothing more for 30 s (read timeout)"); {@link IOException}s
 * otherwise ({@link java.io.EOFException}, {@link UnknownHostException}, a malformed response:
 * "too many 1xx responses", a status code outside 100–599, both Content-Length and
 * Transfer-Encoding). A connection that failed is closed, never reused.
 * Not supported: redirects, cookies, proxies, compression, streamed bodies.
 */
public final class HttpClient implements AutoCloseable {
    private final EventLoop loop;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration requestTimeout;
    /** Where every connection goes when set: a Unix socket instead of the URL's host and port. */
    private final UnixSocketAddress unixSocket;
    private final String userAgent;
    private final Limits limits;
    private final Duration handshakeTimeout;
    /** The context of https connections: the builder's, else the JDK's trust store (made on first use). */
    private SSLContext tls;
    /** Idle connections by pool key; loop thread only. */
    private final ClientPool pool;
    /**
     * The record buffers of https connections, held only while bytes are in flight (an idle pooled
     * connection holds none). Heap buffers: requests in flight outlive {@link #close()}, so there
     * is no moment to free direct memory at; loop thread only.
     */
    private final BufferPool tlsBuffers = BufferPool.heap(16 * 1024, 64 * 1024, 1024 * 1024);
    // The last plain request encoded (any thread): see send().
    private volatile EncodedRequest lastEncoded;
    private boolean closed;

    private HttpClient(Builder b) {
        this.loop = b.loop;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.requestTimeout = b.requestTimeout;
        this.pool = new ClientPool(b.idleTimeout, b.maxIdlePerHost);
        this.unixSocket = b.unixSocket;
        this.userAgent = b.userAgent;
        this.limits = new Limits(8 * 1024, 64 * 1024, 200, b.maxBodyBytes);
        this.tls = b.tls != null ? b.tls : b.identityContext;
        this.handshakeTimeout = b.handshakeTimeout;
    }

    /** A client on the next loop of {@code runtime}, with default settings. */
    public static HttpClient create(Runtime runtime) {
        return builder(runtime).build();
    }

    public static Builder builder(Runtime runtime) {
        return new Builder(runtime.next());
    }

    public static Builder builder(EventLoop loop) {
        return new Builder(loop);
    }

    public CompletableFuture<HttpResponse> get(String url) {
        return send("GET", URI.create(url), HttpHeaders.EMPTY, null);
    }

    public CompletableFuture<HttpResponse> get(URI uri) {
        return send("GET", uri, HttpHeaders.EMPTY, null);
    }

    /** POSTs {@code body} with the given Content-Type (null: none). */
    public CompletableFuture<HttpResponse> post(URI uri, String contentType, byte[] body) {
        HttpHeaders h = contentType == null ? HttpHeaders.EMPTY : HttpHeaders.of("Content-Type", contentType);
        return send("POST", uri, h, Objects.requireNonNull(body, "body"));
    }

    /**
     * Sends a request. {@code body} null means none (no Content-Length is sent for GET/HEAD);
     * otherwise it is sent with a Content-Length. {@code headers} may override Host and
     * User-Agent; Content-Length and Transfer-Encoding are the client's.
     *
     * The builder's {@linkplain Builder#requestTimeout request timeout} bounds the whole exchange.
     *
     * @throws IllegalArgumentException synchronously, for a URI that is not http://host...
     */
    public CompletableFuture<HttpResponse> send(String method, URI uri, HttpHeaders headers, byte[] body) {
        return send(method, uri, headers, body, requestTimeout);
    }

    /**
     * {@link #send(String, URI, HttpHeaders, byte[])} with this request's own overall deadline:
     * {@code requestTimeout} from now until the response is complete (null: none). When it passes,
     * the future fails with a {@link java.util.concurrent.TimeoutException} saying how much of the
     * response had arrived, and the connection is closed.
     */
    public CompletableFuture<HttpResponse> send(String method, URI uri, HttpHeaders headers, byte[] body,
                                                Duration requestTimeout) {
        RequestDeadline deadline = RequestDeadline.after(requestTimeout);
        // A client usually sends the same plain request (no body, no headers of the caller's) again
        // and again: the last one is kept encoded, checked and keyed, so a repeat skips all of that.
        boolean plain = body == null && headers == HttpHeaders.EMPTY;
        EncodedRequest e = lastEncoded;
        if (!plain || e == null || !e.isFor(method, uri)) {
            e = EncodedRequest.encode(method, uri, headers, body, userAgent);
            if (plain) {
                lastEncoded = e;
            }
        }
        CompletableFuture<HttpResponse> result = new CompletableFuture<>();
        EncodedRequest request = e;
        if (loop.inLoop()) {
            start(request, deadline, result, true);
        } else {
            loop.execute(() -> start(request, deadline, result, true));
        }
        return result;
    }

    // ---- on the loop ------------------------------------------------------------------------

    private void start(EncodedRequest request, RequestDeadline deadline, CompletableFuture<HttpResponse> result,
                       boolean mayRetry) {
        if (closed) {
            result.completeExceptionally(new IOException("client closed"));
            return;
        }
        ClientConnection pooled = pool.take(request.poolKey());
        if (pooled != null) {
            CompletableFuture<HttpResponse> attempt = new CompletableFuture<>();
            attempt.whenComplete((r, e) -> {
                if (e == null) {
                    result.complete(r);
                } else if (mayRetry && pooled.nothingReceived() && !closed) {
                    start(request, deadline, result, false); // a stale connection: once more, fresh
                } else {
                    result.completeExceptionally(e);
                }
            });
            pooled.exchange(ByteBuffer.wrap(request.bytes()), request.head(), deadline, attempt, () -> release(pooled));
            return;
        }
        if (unixSocket != null) {
            // curl --unix-socket: the URL names the Host, the socket is where the bytes go.
            connected(request, deadline, AsyncUnixStream.connect(loop, unixSocket), result::completeExceptionally, result);
            return;
        }
        if (request.literal() != null) {
            // An IP literal needs no lookup: connect now, without a stage in between.
            connect(request, deadline, request.literal(), 0, null, result);
            return;
        }
        CompletableFuture<InetAddress[]> lookup = resolve(request.host());
        if (deadline.bounded()) {
            lookup = loop.timeout(lookup, deadline.cap(null));
        }
        lookup.whenComplete((addresses, e) -> {
            if (e instanceof java.util.concurrent.TimeoutException
                    || e != null && e.getCause() instanceof java.util.concurrent.TimeoutException) {
                result.completeExceptionally(deadline.expiredAfter(0));
                return;
            }
            if (e != null) {
                result.completeExceptionally(e instanceof java.util.concurrent.CompletionException ? e.getCause() : e);
                return;
            }
            connect(request, deadline, addresses, 0, null, result);
        });
    }

    private void connect(EncodedRequest request, RequestDeadline deadline, InetAddress[] addresses, int i, Throwable last,
                         CompletableFuture<HttpResponse> result) {
        if (deadline.expired()) { // first: a connect cut short by the deadline reports the deadline
            result.completeExceptionally(deadline.expiredAfter(0));
            return;
        }
        if (i == addresses.length) {
            result.completeExceptionally(last);
            return;
        }
        connected(request, deadline,
                AsyncTcpStream.connect(loop, new InetSocketAddress(addresses[i], request.port()), deadline.cap(connectTimeout)),
                e -> connect(request, deadline, addresses, i + 1, e, result), result);
    }

    /** Sends the request once {@code connecting} completes; a failed connect goes to {@code next}. */
    private void connected(EncodedRequest request, RequestDeadline deadline, CompletableFuture<? extends AsyncStream> connecting,
                           java.util.function.Consumer<Throwable> next, CompletableFuture<HttpResponse> result) {
        connecting.whenComplete((s, e) -> {
            if (e != null) {
                next.accept(e instanceof java.util.concurrent.CompletionException ? e.getCause() : e);
                return;
            }
            if (closed) {
                s.close();
                result.completeExceptionally(new IOException("client closed"));
                return;
            }
            if (request.https()) {
                handshake(request, deadline, s, result);
                return;
            }
            ClientConnection c = new ClientConnection(request.poolKey(), s, null, limits, readTimeout);
            c.exchange(ByteBuffer.wrap(request.bytes()), request.head(), deadline, result, () -> release(c));
        });
    }

    /** TLS on a fresh connection: certificate and host name checked, SNI sent, ALPN offers http/1.1. */
    private void handshake(EncodedRequest request, RequestDeadline deadline, AsyncStream s,
                           CompletableFuture<HttpResponse> result) {
        javax.net.ssl.SSLEngine engine;
        try {
            if (tls == null) {
                tls = TlsContexts.client();
            }
            engine = TlsContexts.clientEngine(tls, request.host(), request.port(), "http/1.1");
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            s.close();
            result.completeExceptionally(new IOException("cannot set up TLS: " + e.getMessage(), e));
            return;
        }
        TlsStream.handshake(s, engine, deadline.cap(handshakeTimeout), tlsBuffers).whenComplete((t, e) -> {
            if (e != null) {
                result.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
                return;
            }
            ClientConnection c = new ClientConnection(request.poolKey(), s, t, limits, readTimeout);
            c.exchange(ByteBuffer.wrap(request.bytes()), request.head(), deadline, result, () -> release(c));
        });
    }

    /** Looks a name up off the loop. Completes on the loop. */
    private CompletableFuture<InetAddress[]> resolve(String h) {
        CompletableFuture<InetAddress[]> f = new CompletableFuture<>();
        Thread.ofVirtual().name("pollen-dns").start(() -> {
            try {
                InetAddress[] all = InetAddress.getAllByName(h);
                loop.execute(() -> f.complete(all));
            } catch (UnknownHostException e) {
                loop.execute(() -> f.completeExceptionally(e));
            } catch (RuntimeException e) {
                f.completeExceptionally(e); // the loop is gone
            }
        });
        return f;
    }

    private void release(ClientConnection c) {
        if (closed) {
            c.close();
        } else {
            pool.give(c);
        }
    }

    /**
     * Test hook (package-private, no production caller): idle connections in the pool, counted on
     * the client's loop. The pooling tests ({@code HttpClientTest}, {@code HttpClientFaultsTest},
     * {@code HttpsServerTest}) assert with it that a connection is reused, and that a failed or
     * closed one is not; nothing else observes the pool.
     */
    int idleConnections() {
        CompletableFuture<Integer> n = new CompletableFuture<>();
        Runnable count = () -> n.complete(pool.size());
        if (loop.inLoop()) count.run(); else loop.execute(count);
        return n.join();
    }

    /**
     * Test hook (package-private): bytes of TLS record buffers held by this client's connections,
     * read on its loop; 0 when every https connection is idle ({@code HttpsBuffersTest}).
     */
    long tlsBufferBytesInUse() {
        CompletableFuture<Long> n = new CompletableFuture<>();
        Runnable count = () -> n.complete(tlsBuffers.bytesInUse());
        if (loop.inLoop()) count.run(); else loop.execute(count);
        return n.join();
    }

    /**
     * Closes the idle connections; requests in flight complete, then their connections close.
     * Idempotent; waits (bounded) for the loop. Does not close the runtime.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable close = () -> {
            closed = true;
            pool.closeAll();
            done.complete(null);
        };
        if (loop.inLoop()) {
            close.run();
            return;
        }
        try {
            loop.execute(close);
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the loop is closed: it closed its sockets
        }
    }

    /** Settings for an {@link HttpClient}. */
    public static final class Builder {
        private final EventLoop loop;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int maxIdlePerHost = 8;
        private String userAgent = "pollen";
        private long maxBodyBytes = 64L * 1024 * 1024;
        private UnixSocketAddress unixSocket;
        private SSLContext tls;
        private io.pollen.tls.TlsIdentity identity;
        /** {@link #identity}'s context, made by {@link #build()}. */
        private SSLContext identityContext;
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        private Builder(EventLoop loop) {
            this.loop = Objects.requireNonNull(loop, "loop");
        }

        /** Connect timeout per address tried (default 10 s; null: the kernel's). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /** Timeout of each read while waiting for the response (default 30 s; null: none). */
        public Builder readTimeout(Duration d) {
            this.readTimeout = d;
            return this;
        }

        /**
         * The overall deadline of each request (default 60 s; null: none), from {@code send} to the
         * last byte of the response: connect, write, any 1xx responses and the whole body count, so
         * a server that trickles its answer cannot hold a request longer. A request may set its
         * own with {@link HttpClient#send(String, URI, HttpHeaders, byte[], Duration)}. Values too
         * large for {@code long} nanoseconds mean no deadline.
         */
        public Builder requestTimeout(Duration d) {
            if (d != null && d.isNegative()) throw new IllegalArgumentException("negative request timeout: " + d);
            this.requestTimeout = d;
            return this;
        }

        /** How long an unused connection stays in the pool (default 30 s). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Idle connections kept per host:port (default 8; 0 disables reuse). */
        public Builder maxIdlePerHost(int n) {
            if (n < 0) throw new IllegalArgumentException("negative pool size");
            this.maxIdlePerHost = n;
            return this;
        }

        /** The User-Agent field (default "pollen"; null: none). */
        public Builder userAgent(String ua) {
            if (ua != null) HttpHeaders.checkValue(ua);
            this.userAgent = ua;
            return this;
        }

        /** The largest response body accepted (default 64 MiB); larger fails with an IOException. */
        public Builder maxBodyBytes(long n) {
            this.maxBodyBytes = n;
            return this;
        }

        /**
         * Sends every request over the Unix socket at {@code path} ({@code null}: TCP, the default), as
         * {@code curl --unix-socket}: the URL gives the path and {@code Host}, not where to connect.
         */
        public Builder unixSocket(Path path) {
            this.unixSocket = path == null ? null : UnixSocketAddress.of(path);
            return this;
        }

        /**
         * The TLS context of https requests (e.g. {@link TlsContexts#client(java.nio.file.Path)} for
         * a private CA); default: the JDK's trust store. Host names are always verified, unless the
         * context trusts everything ({@link TlsContexts#insecureClient()}).
         */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context);
            return this;
        }

        /**
         * Presents {@code identity} (e.g. {@link io.pollen.tls.TlsIdentity#load}: curl's
         * {@code --cert/--key}) to https servers that ask for a client certificate (mutual TLS),
         * trusting the JDK's default CAs. With a context of your own ({@link #tls}), put the identity
         * in it instead ({@link TlsContexts#client(java.nio.file.Path, io.pollen.tls.TlsIdentity)}):
         * giving both fails at {@link #build()}. A server that refuses the certificate fails the
         * request with "client certificate not trusted by the server (alert: ...)", one that wants a
         * certificate and gets none with "the server requires a client certificate".
         */
        public Builder clientCertificate(io.pollen.tls.TlsIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /** How long a TLS handshake may take (default 10 s; null: no limit). */
        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = d;
            return this;
        }

        public HttpClient build() {
            if (identity != null) {
                if (tls != null) {
                    throw new IllegalStateException("clientCertificate and tls(context) together: put the identity "
                            + "in the context (TlsContexts.client(caPem, identity))");
                }
                try {
                    identityContext = TlsContexts.client(null, identity);
                } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                    throw new IllegalStateException("cannot set up the client certificate: " + e.getMessage(), e);
                }
            }
            return new HttpClient(this);
        }
    }

}
