package io.pollen.examples;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where an example sends its request: an {@code http://host[:port]/path} URL taken apart into the
 * socket address to connect to and the request line to send. Only plain HTTP: the examples are
 * about the event loop, not TLS.
 *
 * @param address the server's address (resolved once, here, with the JDK's blocking resolver:
 *                Pollen has no asynchronous DNS, so examples resolve before the loop starts)
 * @param host    the {@code Host} header value
 * @param path    the request target, {@code /} if the URL has none
 */
public record Target(InetSocketAddress address, String host, String path) {

    /** Parses {@code url}; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static Target parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + url + " (" + e.getReason() + ")");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only http:// URLs are supported: " + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in URL: " + url);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + port;
        return new Target(new InetSocketAddress(uri.getHost(), port), host, path);
    }

    /** The chapter's request: one GET, and {@code Connection: close} so the response ends at EOF. */
    public String request() {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }

    @Override
    public String toString() {
        return "http://" + host + path;
    }
}
