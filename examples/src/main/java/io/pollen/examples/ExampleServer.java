package io.pollen.examples;

import io.pollen.http.DemoRoutes;
import io.pollen.http.HttpServer;
import io.pollen.runtime.Runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where an example sends its request: the URL given as the first argument, or, with no argument,
 * Pollen's own demo server started on a free loopback port and asked for the chapter's request,
 * {@code /delay/1000/url/http://www.google.com} (answered after one second, from a timer).
 *
 * <p>The embedded server runs on a runtime of its own, so the example's event loop (or the
 * chapter's reactor) serves only the example. Closing stops both.
 */
final class ExampleServer implements AutoCloseable {
    /** The chapter's request path: a slow endpoint that waits 1000 ms. */
    static final String CHAPTER_PATH = "/delay/1000/url/http://www.google.com";

    private final Target target;
    private final Runtime runtime;
    private final HttpServer server;

    private ExampleServer(Target target, Runtime runtime, HttpServer server) {
        this.target = target;
        this.runtime = runtime;
        this.server = server;
    }

    /** {@code args[0]} as the target URL, or an embedded demo server if there is none. */
    static ExampleServer forArgs(String[] args) throws IOException {
        if (args.length > 0) {
            return new ExampleServer(Target.parse(args[0]), null, null);
        }
        return embedded(CHAPTER_PATH);
    }

    /** Starts Pollen's demo server on a free loopback port; the target is {@code path} on it. */
    static ExampleServer embedded(String path) throws IOException {
        Runtime runtime = Runtime.builder().loops(1).threadNamePrefix("example-server").build();
        try {
            HttpServer server = DemoRoutes.start(runtime, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Target target = Target.parse("http://127.0.0.1:" + server.port() + path);
            System.err.println("(embedded demo server at http://127.0.0.1:" + server.port() + ")");
            return new ExampleServer(target, runtime, server);
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    Target target() {
        return target;
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close();
            } finally {
                runtime.close();
            }
        }
    }
}
