package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.*;

/** The client against python3's http.server, against Pollen's server, and against raw peers. */
@Timeout(60)
class HttpClientTest {
    static TestServers servers;
    static PythonServer python;
    @TempDir
    static Path dir;

    @BeforeAll
    static void before() throws Exception {
        TestServers.warmUp();
        servers = new TestServers(1, b -> b);
        if (PythonServer.hasCommand("python3")) {
            Files.writeString(dir.resolve("hello.txt"), "hello from a file\n");
            python = new PythonServer(dir, "127.0.0.1");
        }
    }

    @AfterAll
    static void after() throws Exception {
        servers.close();
        if (python != null) {
            python.close();
        }
    }

    static Runtime runtime(Backend b) throws IOException {
        servers.server(b);
        return servers.runtime(b);
    }

    static String py(String path) {
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null, "python3 not installed");
        return "http://127.0.0.1:" + python.port + path;
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void againstPythonHttpServer(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.create(runtime(backend))) {
            HttpResponse file = client.get(py("/hello.txt")).join();
            assertEquals(200, file.status());
            assertEquals("OK", file.reason());
            assertEquals("hello from a file\n", file.bodyString());
            assertEquals("18", file.header("content-length"), "case-insensitive lookup");

            assertEquals(404, client.get(py("/missing")).join().status());

            HttpResponse chunked = client.get(py("/chunked")).join();
            assertEquals("hello, chunked world", chunked.bodyString());

            HttpResponse untilClose = client.get(py("/close")).join();
            assertEquals("until the end", untilClose.bodyString());

            byte[] payload = "posted bytes \u00e9".getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(payload, client.post(URI.create(py("/echo")), "application/octet-stream", payload).join().body());

            // Larger than the client's first read buffer, so it must grow while keeping every byte.
            byte[] big = new byte[300 * 1024];
            new java.util.Random(7).nextBytes(big);
            assertArrayEquals(big, client.post(URI.create(py("/echo")), "application/octet-stream", big).join().body());

            HttpResponse head = client.send("HEAD", URI.create(py("/hello.txt")), HttpHeaders.EMPTY, null).join();
            assertEquals(200, head.status());
            assertEquals(0, head.bodyLength());

            assertEquals("127.0.0.1:" + python.port, client.get(py("/host")).join().bodyString());
        }
    }

    /** Keep-alive: consecutive requests come from the same client port, i.e. one connection. */
    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void reusesConnections(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.create(runtime(backend))) {
            String first = client.get(py("/port")).join().bodyString();
            for (int i = 0; i < 5; i++) {
                assertEquals(first, client.get(py("/port")).join().bodyString(), "request " + i);
            }
            assertEquals(1, client.idleConnections());
            client.get(py("/close")).join();
            assertEquals(0, client.idleConnections(), "a closed connection is not pooled");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void againstPollenServerFromVirtualThreads(Backend backend) throws Exception {
        Runtime rt = runtime(backend);
        int port = servers.server(backend).port();
        try (HttpClient client = HttpClient.create(rt)) {
            var handles = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                handles.add(rt.spawnVirtual(() -> client.get("http://127.0.0.1:" + port + "/delay/20/v" + n).join().bodyString()));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals("v" + i, handles.get(i).get());
            }
            assertEquals("Hello, World!", client.get("http://localhost:" + port + "/plaintext").join().bodyString(),
                    "a DNS name (localhost), each address tried in turn");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void ipLiteralsOfBothFamiliesInTurn(Backend backend) throws Exception {
        Runtime rt = runtime(backend);
        HttpServer v6;
        try {
            v6 = DemoRoutes.start(rt, new InetSocketAddress("::1", 0));
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        HttpServer v4 = DemoRoutes.start(rt, new InetSocketAddress("127.0.0.1", 0));
        // No pooling: every request connects, to the address parsed from its own URI's host.
        try (v6; v4; HttpClient client = HttpClient.builder(rt).maxIdlePerHost(0).build()) {
            HttpResponse r = client.get("http://[::1]:" + v6.port() + "/plaintext").join();
            assertEquals("Hello, World!", r.bodyString());
            // The client keeps the last request it encoded, with its host's address; alternating
            // hosts must not reuse it (the other family's address would be refused on these ports).
            for (int i = 0; i < 2; i++) {
                assertEquals("v4", client.get("http://127.0.0.1:" + v4.port() + "/delay/0/v4").join().bodyString());
                assertEquals("v6", client.get("http://[::1]:" + v6.port() + "/delay/0/v6").join().bodyString());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aRepeatedRequestGoesOutAsTheFirstDidAndAChangedOneAsItsOwn(Backend backend) throws Exception {
        Runtime rt = runtime(backend);
        String base = "http://127.0.0.1:" + servers.server(backend).port();
        URI a = URI.create(base + "/delay/0/a");
        // The client keeps the last plain request encoded; each send must still go out as asked.
        try (HttpClient client = HttpClient.builder(rt).maxIdlePerHost(0).build()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("a", client.get(a).join().bodyString(), "the same URI object, " + i);
            }
            assertEquals("a", client.get(base + "/delay/0/a").join().bodyString(), "an equal URI");
            HttpResponse head = client.send("HEAD", a, HttpHeaders.EMPTY, null).join();
            assertEquals(200, head.status(), "the same URI, another method");
            assertEquals(0, head.bodyLength(), "a HEAD is sent as a HEAD");
            assertEquals("a", client.get(a).join().bodyString(), "and GET again");
            assertEquals("b", client.get(base + "/delay/0/b").join().bodyString(), "another path");
            assertEquals("a", client.send("GET", a, HttpHeaders.of("X-Trace", "1"), null).join().bodyString(),
                    "with headers of the caller's");
            assertThrows(IllegalArgumentException.class, () -> client.get("ftp://127.0.0.1/"),
                    "a bad request still fails at once after a good one was kept");
            assertEquals("a", client.get(a).join().bodyString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void readTimeout(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.builder(runtime(backend)).readTimeout(Duration.ofMillis(300)).build()) {
            CompletionException e = assertThrows(CompletionException.class, () -> client.get(py("/slow")).join());
            assertInstanceOf(TimeoutException.class, e.getCause());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void truncatedAndMalformedResponsesFail(Backend backend) throws Exception {
        try (HttpClient client = HttpClient.create(runtime(backend))) {
            try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int port = TestServers.rawPeer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", ss);
                CompletionException e = assertThrows(CompletionException.class, () -> client.get("http://127.0.0.1:" + port + "/").join());
                assertInstanceOf(EOFException.class, e.getCause());
            }
            try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int port = TestServers.rawPeer("HTTP/1.1 2xx Broken\r\n\r\n", ss);
                CompletionException e = assertThrows(CompletionException.class, () -> client.get("http://127.0.0.1:" + port + "/").join());
                assertInstanceOf(IOException.class, e.getCause());
            }
            try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int port = TestServers.rawPeer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", ss);
                assertEquals("abc", client.get("http://127.0.0.1:" + port + "/").join().bodyString(), "interim 100 skipped");
            }
            int closedPort;
            try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = ss.getLocalPort();
            }
            CompletionException e = assertThrows(CompletionException.class, () -> client.get("http://127.0.0.1:" + closedPort + "/").join());
            assertInstanceOf(IOException.class, e.getCause(), "connection refused");
            assertThrows(CompletionException.class, () -> client.get("http://no-such-host.invalid/").join());
            assertThrows(IllegalArgumentException.class, () -> client.get("ftp://127.0.0.1/"));
        }
    }
}
