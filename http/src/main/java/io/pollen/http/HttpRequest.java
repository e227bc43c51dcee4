package io.pollen.http;

import io.pollen.http.codec.Ascii;
import io.pollen.http.codec.BodyBuffer;
import io.pollen.http.codec.RequestParser;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A request as a handler sees it: a view over the connection's parser, reused for every request of
 * that connection, so reading it costs nothing until a String is asked for (then built once per
 * request and cached).
 *
 * <p><b>Validity:</b> the view is only valid while its handler runs (for an {@link AsyncHandler},
 * until the returned stage completes); copy out what you need beyond that. Not thread-safe: read it
 * on the loop thread or before completing the stage.
 *
 * <p>The target, path and query are the raw bytes of the request (no percent-decoding). The body
 * has been read completely (Content-Length or chunked) before the handler is called.
 */
public final class HttpRequest {
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = Ascii.bytes(METHODS[i]);
        }
    }

    private final RequestParser parser;
    private final BodyBuffer body;
    private final Supplier<InetSocketAddress> peer;
    private final Supplier<SSLSession> tls;

    private String method;
    private String target;
    private String path;
    private String query;
    private byte[] bodyCopy;

    /** Path parameters of the matched route: names, and start/end offsets into the parser's store. */
    private String[] paramNames = NO_NAMES;
    private int[] paramBounds;
    private static final String[] NO_NAMES = new String[0];

    HttpRequest(RequestParser parser, BodyBuffer body, Supplier<InetSocketAddress> peer) {
        this(parser, body, peer, () -> null);
    }

    HttpRequest(RequestParser parser, BodyBuffer body, Supplier<InetSocketAddress> peer, Supplier<SSLSession> tls) {
        this.parser = parser;
        this.body = body;
        this.peer = peer;
        this.tls = tls;
    }

    /** Forgets the cached strings of the previous request. */
    void reset() {
        method = null;
        target = null;
        path = null;
        query = null;
        bodyCopy = null;
        paramNames = NO_NAMES;
    }

    /** Applies a route's match: its parameter names and their bounds (kept, not copied). */
    void pathParams(String[] names, int[] bounds) {
        paramNames = names;
        paramBounds = bounds;
    }

    /** The method, e.g. "GET" (case-sensitive, as sent). Standard methods return shared constants. */
    public String method() {
        if (method == null) {
            for (int i = 0; i < METHODS.length; i++) {
                if (parser.methodIs(METHOD_BYTES[i])) {
                    return method = METHODS[i];
                }
            }
            method = Ascii.string(parser.store(), 0, parser.methodLength());
        }
        return method;
    }

    boolean isHead() {
        return parser.methodIs(METHOD_BYTES[1]);
    }

    boolean methodIs(byte[] m) {
        return parser.methodIs(m);
    }

    /** The request target as sent: {@code /path?query}, or an absolute URI. */
    public String target() {
        if (target == null) {
            target = Ascii.string(parser.store(), parser.targetStart(), parser.targetEnd() - parser.targetStart());
        }
        return target;
    }

    /** The path of the target (without the query), raw. */
    public String path() {
        if (path == null) {
            path = Ascii.string(parser.store(), parser.pathStart(), parser.pathEnd() - parser.pathStart());
        }
        return path;
    }

    /** The query after '?', raw, or null if there is none. */
    public String query() {
        if (query == null && parser.pathEnd() < parser.targetEnd() && parser.store()[parser.pathEnd()] == '?') {
            int s = parser.pathEnd() + 1;
            query = Ascii.string(parser.store(), s, parser.targetEnd() - s);
        }
        return query;
    }

    /** "HTTP/1.1" or "HTTP/1.0". */
    public String version() {
        return parser.minorVersion() == 1 ? "HTTP/1.1" : "HTTP/1.0";
    }

    /** The value of the first header field named {@code name} (any case), or null. */
    public String header(String name) {
        byte[] s = parser.store();
        for (int i = 0, n = parser.headerCount(); i < n; i++) {
            int ns = parser.nameStart(i);
            if (equalsIgnoreCase(s, ns, parser.nameEnd(i) - ns, name)) {
                return parser.headerValue(i);
            }
        }
        return null;
    }

    private static boolean equalsIgnoreCase(byte[] s, int off, int len, String name) {
        if (len != name.length()) return false;
        for (int i = 0; i < len; i++) {
            if (Ascii.lower(s[off + i]) != Ascii.lower(name.charAt(i))) return false;
        }
        return true;
    }

    /** All header fields, in order (a copy). */
    public HttpHeaders headers() {
        String[] pairs = new String[parser.headerCount() * 2];
        for (int i = 0; i < parser.headerCount(); i++) {
            pairs[2 * i] = parser.headerName(i);
            pairs[2 * i + 1] = parser.headerValue(i);
        }
        return HttpHeaders.ofTrusted(pairs);
    }

    /** The value of the path parameter {@code {name}} (or {@code {name...}}) of the matched route, or null. */
    public String pathParam(String name) {
        for (int i = 0; i < paramNames.length; i++) {
            if (paramNames[i].equals(name)) {
                int s = paramBounds[2 * i];
                return Ascii.string(parser.store(), s, paramBounds[2 * i + 1] - s);
            }
        }
        return null;
    }

    /** The body (a copy made once per request; an empty array when there is none). */
    public byte[] body() {
        if (bodyCopy == null) {
            bodyCopy = body.toByteArray();
        }
        return bodyCopy;
    }

    /** The body decoded as UTF-8. */
    public String bodyString() {
        return new String(body.array(), 0, body.length(), StandardCharsets.UTF_8);
    }

    /**
     * The connection's own body buffer (its first {@link #bodyLength()} bytes are the body), without
     * the copy {@link #body()} makes: valid only until the response to this request is encoded, as
     * {@code /echo} uses it (the buffer serves the connection's next request).
     */
    byte[] bodyStore() {
        return body.array();
    }

    public int bodyLength() {
        return body.length();
    }

    /**
     * The client's address (IP and port, as the server's socket sees it: a proxy's, behind one);
     * {@code null} when the server listens on a Unix socket. Asked of the socket on each call.
     */
    public InetSocketAddress remoteAddress() {
        return peer.get();
    }

    /**
     * The TLS session of an https connection: protocol, cipher suite, the client's certificates if
     * it sent any. {@code null} over plain HTTP.
     */
    public SSLSession tlsSession() {
        return tls.get();
    }

    /**
     * The client's certificate chain, leaf first, as verified during the handshake (mutual TLS: the
     * server asked for it with {@link HttpServer.Builder#tls(javax.net.ssl.SSLContext, io.pollen.tls.ClientAuth)});
     * its subject, {@code clientCertificates().getFirst().getSubjectX500Principal()}, names the
     * client. Empty over plain HTTP, or when the client sent none (possible with
     * {@link io.pollen.tls.ClientAuth#REQUEST}). A new list on each call.
     */
    public List<X509Certificate> clientCertificates() {
        SSLSession s = tls.get();
        if (s == null) {
            return List.of();
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : s.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
            return out;
        } catch (SSLPeerUnverifiedException none) {
            return List.of();
        }
    }

    @Override
    public String toString() {
        return method() + " " + target() + " " + version();
    }
}
