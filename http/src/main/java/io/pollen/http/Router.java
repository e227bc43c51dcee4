package io.pollen.http;

import io.pollen.http.codec.Ascii;

import java.util.ArrayList;
import java.util.List;

/**
 * Matches a request path against route patterns, in the order they were added, on the raw path
 * bytes (no String is built to route a request). Pattern syntax, one segment between slashes:
 * a literal ({@code plaintext}), a parameter ({@code {ms}}, one non-empty segment) or, last only,
 * a rest parameter ({@code {rest...}}, everything after, possibly empty, slashes included).
 *
 * <p>Method: a route for GET also answers HEAD; a path that matches only routes of other methods
 * gets 405 with an {@code Allow} field.
 */
final class Router {
    private static final int LITERAL = 0;
    private static final int PARAM = 1;
    private static final int REST = 2;

    /** One route. Exactly one of sync and async is set. */
    record Route(String method, byte[] methodBytes, String pattern, int[] kinds, byte[][] literals,
                 String[] params, Handler sync, AsyncHandler async) {
    }

    private final List<Route> routes = new ArrayList<>();
    private static final byte[] GET = Ascii.bytes("GET");

    void add(String method, String pattern, Handler sync, AsyncHandler async) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("pattern must start with '/': " + pattern);
        }
        if (method != null) {
            HttpHeaders.checkName(method); // a method is a token too
        }
        String[] segs = pattern.substring(1).split("/", -1);
        int[] kinds = new int[segs.length];
        byte[][] literals = new byte[segs.length][];
        List<String> params = new ArrayList<>();
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            if (s.startsWith("{") && s.endsWith("...}")) {
                if (i != segs.length - 1) {
                    throw new IllegalArgumentException("a rest parameter must be last: " + pattern);
                }
                kinds[i] = REST;
                params.add(s.substring(1, s.length() - 4));
            } else if (s.startsWith("{") && s.endsWith("}")) {
                kinds[i] = PARAM;
                params.add(s.substring(1, s.length() - 1));
            } else if (s.contains("{") || s.contains("}")) {
                throw new IllegalArgumentException("bad segment '" + s + "' in " + pattern);
            } else {
                kinds[i] = LITERAL;
                literals[i] = Ascii.bytes(s);
            }
        }
        routes.add(new Route(method, method == null ? null : Ascii.bytes(method), pattern, kinds, literals,
                params.toArray(String[]::new), sync, async));
    }

    /**
     * Finds the route for the request into {@code into} (cleared first) and returns it: its path
     * parameters' bounds go to {@code into.bounds}. Returns null if no pattern matches the path;
     * {@code into.allowed} then stays null. If patterns match but no method does, returns null and
     * fills {@code into.allowed} (allocated only on that path). Reads the request, never changes it:
     * the caller applies the result.
     */
    Route match(HttpRequest req, byte[] store, int pathStart, int pathEnd, RouteMatch into) {
        into.clear();
        for (Route r : routes) {
            if (!matchPath(r, into.bounds(r.params.length), store, pathStart, pathEnd)) {
                continue;
            }
            if (r.methodBytes == null || req.methodIs(r.methodBytes)
                    || (req.isHead() && java.util.Arrays.equals(r.methodBytes, GET))) {
                into.allowed = null; // earlier patterns of other methods do not matter now
                return into.route = r;
            }
            into.allow(r.method);
            if (r.method.equals("GET")) {
                into.allow("HEAD");
            }
        }
        return null;
    }

    private static boolean matchPath(Route r, int[] bounds, byte[] s, int start, int end) {
        if (start >= end || s[start] != '/') {
            return false;
        }
        int p = start + 1;
        int param = 0;
        int n = r.kinds.length;
        for (int i = 0; i < n; i++) {
            if (r.kinds[i] == REST) {
                bounds[2 * param] = p;
                bounds[2 * param + 1] = end;
                return true;
            }
            int q = p;
            while (q < end && s[q] != '/') q++;
            if (r.kinds[i] == LITERAL) {
                byte[] lit = r.literals[i];
                if (q - p != lit.length || !java.util.Arrays.equals(s, p, q, lit, 0, lit.length)) {
                    return false;
                }
            } else {
                if (q == p) {
                    return false; // a parameter needs a non-empty segment
                }
                bounds[2 * param] = p;
                bounds[2 * param + 1] = q;
                param++;
            }
            if (q == end) {
                // path exhausted: matches if the pattern is too, or only a rest parameter remains
                if (i == n - 1) {
                    return true;
                }
                if (i == n - 2 && r.kinds[n - 1] == REST) {
                    bounds[2 * param] = end;
                    bounds[2 * param + 1] = end;
                    return true;
                }
                return false;
            }
            p = q + 1;
        }
        return false; // the path has more segments than the pattern
    }
}
