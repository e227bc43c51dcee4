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
 * Not guaranteed: the stage is not cancelled when the client goes away.
 */
@FunctionalInterface
public interface AsyncHandler {
    CompletionStage<Response> handle(HttpRequest request) throws Exception;
}
