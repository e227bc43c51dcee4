package io.pollen.cli;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code http(s)://host[:port]/path} URL taken apart into what the demo needs: the socket address
 * to connect to, the {@code Host} header and the request target; {@link #https()} says whether TLS
 * runs first (port 443 by default).
 *
 * @param url     the URL as given
 * @param address the server's address, resolved once with the JDK's resolver (Pollen has no
 *                asynchronous DNS; resolving before the loop starts keeps the loop from blocking)
 * @param host    the {@code Host} header value
 * @param path    the request target (path and query), {@code /} if the URL has none
 */
record Target(String url, InetSocketAddress address, String host, String path) {
    private static final Pattern DELAY = Pattern.compile("^/delay/(\\d{1,9})(?:[/?].*)?$");

    /**
     * Parses {@code url}.
     *
     * @throws IllegalArgumentException saying what is wrong: not a URL, not http, no host, or a
     *         host that does not resolve
     */
    static Target parse(String url) {
        URI uri = checkHttpUrl(url);
        int port = uri.getPort() == -1 ? ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String hostName = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        InetSocketAddress address = new InetSocketAddress(hostName, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unknown host: '" + uri.getHost() + "'");
        }
        String host = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + port;
        return new Target(url, address, host, path);
    }

    /**
     * Checks that {@code url} is an absolute {@code http(s)://host[:port]/...} URL, without resolving
     * the host.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static URI checkHttpUrl(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "' (" + e.getReason() + ")");
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("not an absolute http:// URL: '" + url + "'");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only http:// and https:// URLs are supported: '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in URL: '" + url + "'");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new IllegalArgumentException("bad port in URL: '" + url + "'");
        }
        return uri;
    }

    /** Whether the URL is {@code https://}: TLS with {@link #hostName()} verified and sent as SNI. */
    boolean https() {
        return url.trim().regionMatches(true, 0, "https:", 0, 6);
    }

    /** The host of the URL, without IPv6 brackets (for SNI and certificate checks). */
    String hostName() {
        String h = URI.create(url.trim()).getHost();
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    /** The chapter's request: one GET with {@code Connection: close}, so the response ends at EOF. */
    String request() {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: pollen\r\nConnection: close\r\n\r\n";
    }

    /** The delay a {@code /delay/<ms>/...} path asks the server for; zero for any other path. */
    Duration delay() {
        Matcher m = DELAY.matcher(path);
        return m.matches() ? Duration.ofMillis(Long.parseLong(m.group(1))) : Duration.ZERO;
    }

    @Override
    public String toString() {
        return url;
    }
}
