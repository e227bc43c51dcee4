package io.pollen.http;

/**
 * Answers a request synchronously, on the connection's event loop thread. It must not block:
 * no blocking I/O, no {@code join()}, no sleeping, or every connection of that loop waits. Work
 * that waits belongs in an {@link AsyncHandler}.
 *
 * <p>A thrown exception becomes a 500 response; the connection stays usable. The request object
 * is valid only until the handler returns.
 */
@FunctionalInterface
public interface Handler {
    Response handle(HttpRequest request) throws Exception;
}
