package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.poll.Poll;
import io.pollen.runtime.Runtime;
import io.pollen.testing.TestBackends;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One runtime and one demo server per backend for a test class, started on first use and closed
 * by {@link #close()} in the class's {@code @AfterAll}.
 */
final class TestServers implements AutoCloseable {
    private final Map<Backend, Runtime> runtimes = new EnumMap<>(Backend.class);
    private final Map<Backend, HttpServer> servers = new EnumMap<>(Backend.class);
    private final UnaryOperator<HttpServer.Builder> config;
    private final int loops;

    TestServers(int loops, UnaryOperator<HttpServer.Builder> config) {
        this.loops = loops;
        this.config = config;
    }

    /**
     * The backends of {@link TestBackends#all()} that can open a Poll and a listener here (a
     * backend or socket flavor still being written reports itself available but cannot open yet).
     */
    static Stream<Backend> backends() {
        return TestBackends.all().filter(b -> {
            try (Poll p = Poll.open(b);
                 io.pollen.net.TcpListener l = io.pollen.net.TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), b)) {
                return true;
            } catch (IOException | RuntimeException | LinkageError e) {
                return false;
            }
        });
    }

    private static boolean warm;

    /**
     * Serves one connection per backend before a test class takes its fd snapshot. The first
     * connection a JVM serves leaves one unbound socket fd open for good (a one-time lazy
     * initialisation below Pollen's HTTP layer, seen with the nio backend); warming up keeps the
     * leak checks about what the tests themselves open (Fds.snapshot starts the JDK's virtual-thread
     * pollers).
     */
    static synchronized void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        try (TestServers s = new TestServers(1, b -> b)) {
            for (Backend b : backends().toList()) {
                try (RawHttp c = new RawHttp(s.address(b))) {
                    c.send(RawHttp.get("/plaintext")).read();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    synchronized HttpServer server(Backend backend) throws IOException {
        HttpServer s = servers.get(backend);
        if (s == null) {
            Runtime rt = Runtime.builder().backend(backend).loops(loops).threadNamePrefix("http-test-" + backend.id()).build();
            try {
                s = config.apply(DemoRoutes.install(HttpServer.builder())).start(rt);
            } catch (IOException | RuntimeException e) {
                rt.shutdown(Duration.ofSeconds(5));
                throw e;
            }
            runtimes.put(backend, rt);
            servers.put(backend, s);
        }
        return s;
    }

    InetSocketAddress address(Backend backend) throws IOException {
        return server(backend).localAddress();
    }

    String url(Backend backend, String path) throws IOException {
        return "http://127.0.0.1:" + server(backend).port() + path;
    }

    Runtime runtime(Backend backend) {
        return runtimes.get(backend);
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(HttpServer::close);
        runtimes.values().forEach(rt -> rt.shutdown(Duration.ofSeconds(5)));
        servers.clear();
        runtimes.clear();
    }

    /** Waits up to 10 s for {@code server} to have no connection open, then asserts it has none. */
    static void awaitNoConnections(HttpServer server) throws InterruptedException {
        awaitConnections(server, 0);
    }

    /** Waits up to 10 s for {@code server} to have at most {@code n} connections, then asserts exactly {@code n}. */
    static void awaitConnections(HttpServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.connectionCount() > n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, server.connectionCount(), "connections open on the server");
    }

    /** A raw peer that answers once with the given bytes and closes; its port. */
    static int rawPeer(String response, ServerSocket ss) {
        Thread.ofVirtual().start(() -> {
            try (Socket s = ss.accept()) {
                s.getInputStream().read(new byte[4096]);
                s.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException ignored) {
                // the test reports what the client saw
            }
        });
        return ss.getLocalPort();
    }
}
