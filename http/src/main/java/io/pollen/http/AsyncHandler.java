package io.pollen.http;

import java.util.concurrent.CompletionStage;

/**
 * Answers a request later: the returned stage completes with the response, on any thread (the
 * server continues on the connection's loop). Until it completes, further requests pipelined on
 * the same connection wait, so responses leave in request order.
 *
 * <pre>{@code
 * server.routeAsync("GET", "/slow", req -> EventLoop.current().sleep(Duration.ofSeconds(1))
 *         .thenApply(v -> Response.text("done")));
 * }</pre>
 *
 * <p>The handler itself runs on the loop and must not block. A stage that fails (or a thrown
 * exception) becomes a 500 response. The request object stays valid until the stage completes.
 *
 * <p><b>Cancellation.</b> When the connection closes before the stage completes — the client hung
 * up (end of stream, reset; a half-close counts as a hang-up), the server's drain deadline passed,
 * or the server was closed — the server cancels the returned stage if it is a
 * {@link java.util.concurrent.Future} (a {@link java.util.concurrent.CompletableFuture} is):
 * {@code cancel(true)} on the connection's loop. A handler observes it with {@code whenComplete}
 * (a {@link java.util.concurrent.CancellationException}) or {@code isCancelled()}. Only the
 * returned stage is cancelled: a handler that returns {@code work.thenApply(...)} passes the
 * cancellation on to {@code work} itself (see {@link DemoRoutes#delay}). A late completion of a
 * cancelled stage is ignored.
 */
@FunctionalInterface
public interface AsyncHandler {
    CompletionStage<Response> handle(HttpRequest request) throws Exception;
}
