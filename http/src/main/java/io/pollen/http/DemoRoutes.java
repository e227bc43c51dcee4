package io.pollen.http;

import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The endpoints {@code pollen serve} exposes, shared by the CLI, the examples and the benchmarks:
 *
 * <ul>
 *   <li>{@code GET /plaintext} — {@code Hello, World!} as text/plain (the benchmark path: a
 *       constant response, no allocation per request);</li>
 *   <li>{@code /echo} — any method; answers the request body with the request's Content-Type
 *       (application/octet-stream if none);</li>
 *   <li>{@code GET /delay/{ms}/{rest...}} — waits {@code ms} milliseconds on a timer (the loop is
 *       not blocked), then answers 200 with the rest of the path as the body, e.g.
 *       {@code /delay/1000/url/http://www.google.com} → {@code url/http://www.google.com}. The
 *       chapter's slow endpoint. {@code ms} above {@link #MAX_DELAY_MS} or not a number → 400. If
 *       the client hangs up first, its timer is cancelled with the request;</li>
 *   <li>anything else — 404.</li>
 * </ul>
 */
public final class DemoRoutes {
    private DemoRoutes() {
    }

    /** The longest delay {@code /delay} accepts, in milliseconds (10 minutes). */
    public static final long MAX_DELAY_MS = 600_000;

    /** The body of {@code /plaintext}. */
    public static final String PLAINTEXT = "Hello, World!";

    private static final Response HELLO = Response.of(200, "text/plain", PLAINTEXT.getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    /** Adds the demo routes to {@code builder}. */
    public static HttpServer.Builder install(HttpServer.Builder builder) {
        return builder
                .route("GET", "/plaintext", req -> HELLO)
                .route("/echo", req -> {
                    String type = req.header("Content-Type");
                    // No copy of the body: the response is encoded before the connection reads on.
                    return Response.of(200, type != null ? type : "application/octet-stream", req.bodyStore(), 0,
                            req.bodyLength());
                })
                .routeAsync("GET", "/delay/{ms}/{rest...}", DemoRoutes::delay);
    }

    /** Starts a server with the demo routes on {@code address}. */
    public static HttpServer start(Runtime runtime, InetSocketAddress address) throws IOException {
        return install(HttpServer.builder().bind(address)).start(runtime);
    }

    /**
     * The {@code /delay/{ms}/{rest...}} handler, for a server that routes it itself (the scale
     * run's server notes each arrival first): on an event loop, answers after {@code ms}.
     */
    public static java.util.concurrent.CompletionStage<Response> delay(HttpRequest req) {
        long ms;
        try {
            ms = Long.parseLong(req.pathParam("ms"));
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 0 || ms > MAX_DELAY_MS) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    ResponseEncoder.error(400, "delay must be 0.." + MAX_DELAY_MS + " ms"));
        }
        String rest = req.pathParam("rest"); // copied now: the request is a view that gets reused
        java.util.concurrent.CompletableFuture<Void> timer = EventLoop.current().sleep(Duration.ofMillis(ms));
        java.util.concurrent.CompletableFuture<Response> answer = timer.thenApply(v -> Response.text(rest));
        // The server cancels the stage it was given (client gone, drain deadline): pass that on to
        // the timer, or a hung-up client would leave it queued for up to MAX_DELAY_MS.
        answer.whenComplete((r, e) -> {
            if (e instanceof java.util.concurrent.CancellationException) {
                timer.cancel(false);
            }
        });
        return answer;
    }
}
