package io.pollen.http;

import io.pollen.http.codec.Ascii;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;

/**
 * A client request checked and encoded, with where it goes; immutable, so it may be sent again
 * ({@link HttpClient} keeps the last plain one). Two URIs that {@link URI#equals} calls equal may
 * differ only in the case of the scheme, the host and percent-escapes, none of which changes what
 * the request means.
 *
 * @param literal the host as an address when it is an IP literal, else null (parsed once here, so
 *                a repeated request does not parse it again)
 */
record EncodedRequest(String method, URI uri, String host, int port, String poolKey, byte[] bytes, boolean head,
                      InetAddress[] literal) {

    boolean isFor(String method, URI uri) {
        return method.equals(this.method) && (uri == this.uri || uri.equals(this.uri));
    }

    /**
     * Checks and encodes a request; {@code userAgent} null sends none.
     *
     * @throws IllegalArgumentException for a URI that is not http://host..., a bad method, or a
     *         Transfer-Encoding of the caller's
     */
    static EncodedRequest encode(String method, URI uri, HttpHeaders headers, byte[] body, String userAgent) {
        HttpHeaders.checkName(method);
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http://host URI: " + uri);
        }
        if (headers.contains("Transfer-Encoding")) {
            throw new IllegalArgumentException("Transfer-Encoding is chosen by the client");
        }
        String host = uri.getHost();
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        return new EncodedRequest(method, uri, host, port, host.toLowerCase(Locale.ROOT) + ":" + port,
                requestBytes(method, uri, host, port, headers, body, userAgent), method.equals("HEAD"), literal(host));
    }

    private static byte[] requestBytes(String method, URI uri, String host, int port, HttpHeaders headers, byte[] body,
                                       String userAgent) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        StringBuilder sb = new StringBuilder(128);
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        if (!headers.contains("Host")) {
            sb.append("Host: ").append(host).append(port == 80 ? "" : ":" + port).append("\r\n");
        }
        if (!headers.contains("User-Agent") && userAgent != null) {
            sb.append("User-Agent: ").append(userAgent).append("\r\n");
        }
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.name(i).equalsIgnoreCase("Content-Length")) {
                sb.append(headers.name(i)).append(": ").append(headers.value(i)).append("\r\n");
            }
        }
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(sb.length() + (body == null ? 0 : body.length));
        out.writeBytes(Ascii.bytes(sb.toString()));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** {@code host} as an address if it is an IP literal ({@code [...]} for IPv6), else null. */
    private static InetAddress[] literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return new InetAddress[]{InetAddress.ofLiteral(h)};
        } catch (IllegalArgumentException notALiteral) {
            return null;
        }
    }
}
