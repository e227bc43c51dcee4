package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.testing.SocketFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP over a Unix domain socket, as Docker's API is served: {@code curl --unix-socket} against
 * {@link HttpServer.Builder#bindUnix}, Pollen's {@link HttpClient.Builder#unixSocket}, a server
 * that hangs up mid-response, a client that hangs up mid-response, and the socket file removed.
 */
@Timeout(120)
class HttpUnixSocketTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
    }

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    /** A 2-loop runtime serving the demo routes (plus /who) on a fresh socket file. */
    record Served(Runtime rt, HttpServer server, Path path) implements AutoCloseable {
        static Served start(Backend backend) throws IOException {
            Path path = SocketFiles.fresh(dir, "http");
            Runtime rt = Runtime.builder().backend(backend).loops(2).threadNamePrefix("http-unix-" + backend.id()).build();
            try {
                HttpServer s = DemoRoutes.install(HttpServer.builder())
                        .route("GET", "/who", req -> Response.text(req.header("Host") + " from " + req.remoteAddress()))
                        .bindUnix(path).start(rt);
                return new Served(rt, s, path);
            } catch (IOException | RuntimeException e) {
                rt.shutdown(Duration.ofSeconds(5));
                throw e;
            }
        }

        @Override
        public void close() {
            server.close();
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void curlUnixSocket(Backend backend) throws Exception {
        try (Served s = Served.start(backend)) {
            assertTrue(Files.exists(s.path));
            assertEquals(s.path, ((io.pollen.net.UnixSocketAddress) s.server.address()).path());
            assertThrows(IllegalStateException.class, s.server::localAddress);
            CurlTest.Result r = CurlTest.curlIn(dir, "-v", "--unix-socket", s.path.toString(),
                    "http://localhost/plaintext", "http://localhost/plaintext");
            assertEquals(0, r.exit(), r.stderr());
            assertEquals("Hello, World!".repeat(2), r.stdout());
            assertTrue(r.stderr().contains("Re-using existing connection"), r.stderr());
            CurlTest.Result who = CurlTest.curlIn(dir, "--unix-socket", s.path.toString(), "http://docker.example:2375/who");
            assertEquals("docker.example:2375 from null", who.stdout(), "Host from the URL; no IP peer");
            byte[] data = new byte[200_000];
            new java.util.Random(7).nextBytes(data);
            Path file = Files.write(dir.resolve("up-" + backend.id() + ".bin"), data);
            try {
                CurlTest.Result echo = CurlTest.curlIn(dir, "--unix-socket", s.path.toString(), "--data-binary", "@" + file,
                        "http://localhost/echo");
                assertEquals(0, echo.exit(), echo.stderr());
                assertEquals(data.length, echo.stdout().getBytes(StandardCharsets.ISO_8859_1).length);
            } finally {
                Files.delete(file);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void pollenClientOverUnixSocket(Backend backend) throws Exception {
        try (Served s = Served.start(backend);
             HttpClient client = HttpClient.builder(s.rt).unixSocket(s.path).build()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse r = client.get("http://localhost/plaintext").get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("Hello, World!", r.bodyString());
            }
            assertEquals("api.local from null", client.get("http://api.local/who").get(10, TimeUnit.SECONDS).bodyString());
            assertTrue(s.server.connectionCount() <= 2, "kept alive: " + s.server.connectionCount());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void serverFileRemovedOnCloseAndMissingSocketFailsNamed(Backend backend) throws Exception {
        Path path;
        try (Served s = Served.start(backend)) {
            path = s.path;
            // A second server on the same path is refused; the first keeps its file.
            assertThrows(IOException.class, () -> HttpServer.builder().bindUnix(s.path).start(s.rt));
            assertTrue(Files.exists(path));
        }
        assertFalse(Files.exists(path), "closing the server removes its socket file");
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).build();
             HttpClient client = HttpClient.builder(rt).unixSocket(path).build()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.get("http://localhost/").get(10, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, e.getCause());
            if (backend.nativeSockets()) {
                assertTrue(e.getCause().getMessage().contains("ENOENT"), e.getCause().getMessage());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aServerThatHangsUpMidResponseFailsTheRequest(Backend backend) throws Exception {
        Path path = SocketFiles.fresh(dir, "rude");
        try (ServerSocketChannel rude = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            rude.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (SocketChannel c = rude.accept()) {
                    c.read(ByteBuffer.allocate(4096));
                    c.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofPlatform().start(r));
            try (Runtime rt = Runtime.builder().backend(backend).loops(1).build();
                 HttpClient client = HttpClient.builder(rt).unixSocket(path).build()) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> client.get("http://localhost/").get(20, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
            }
            peer.get(10, TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(path); // the JDK's channel leaves its file
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aClientThatHangsUpMidResponseFreesItsConnection(Backend backend) throws Exception {
        try (Served s = Served.start(backend)) {
            byte[] big = new byte[4 << 20];
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(s.path))) {
                String head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + big.length + "\r\n\r\n";
                c.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer body = ByteBuffer.wrap(big);
                while (body.hasRemaining()) {
                    c.write(body);
                }
                c.read(ByteBuffer.allocate(1024)); // the response has started; hang up in the middle of it
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (s.server.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, s.server.connectionCount(), "the server dropped the connection the client left");
            CurlTest.Result after = CurlTest.curlIn(dir, "--unix-socket", s.path.toString(), "http://localhost/plaintext");
            assertEquals("Hello, World!", after.stdout(), "and still serves");
        }
    }
}
