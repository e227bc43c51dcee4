package io.pollen.http;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What {@link Router#match} found for one request: the route, or the methods the path allows when
 * only other methods' routes match it. One instance per connection, reused for every request, so
 * routing allocates nothing (the {@link #allowed} set is made only on the 405 path). The router
 * writes here and never into the request; the connection applies the result
 * ({@link HttpRequest#pathParams}).
 */
final class RouteMatch {
    /** The matched route, or null. */
    Router.Route route;
    /** Start/end offsets into the parser's store of each path parameter of {@link #route}. */
    int[] bounds = new int[8];
    /** Methods of the routes whose pattern matched when no method did (405's Allow), else null. */
    Set<String> allowed;

    /** Forgets the previous request's result. */
    void clear() {
        route = null;
        allowed = null;
    }

    /** Bounds room for {@code params} parameters (grown only for a route with more than any before). */
    int[] bounds(int params) {
        if (bounds.length < params * 2) {
            bounds = new int[params * 2];
        }
        return bounds;
    }

    void allow(String method) {
        if (allowed == null) {
            allowed = new LinkedHashSet<>();
        }
        allowed.add(method);
    }
}
