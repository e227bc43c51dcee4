package io.pollen.http;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * curl as the client of Pollen's server. (curl dropped HTTP/1.1 pipelining in 7.65, so pipelining
 * is tested over raw sockets in {@link HttpServerTest}; here curl shows connection reuse.)
 */
@Timeout(120)
class CurlTest {
    static TestServers servers;
    @TempDir
    static Path dir;

    @BeforeAll
    static void before() {
        TestServers.warmUp();
        servers = new TestServers(2, b -> b);
    }

    @AfterAll
    static void after() {
        servers.close();
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static Result curl(String... args) throws Exception {
        return curlIn(dir, args);
    }

    /** Runs curl with its stderr kept in a file under {@code errDir}, removed afterwards. */
    static Result curlIn(Path errDir, String... args) throws Exception {
        Assumptions.assumeTrue(PythonServer.hasCommand("curl"), "curl not installed");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(errDir, "curl", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl finished");
            return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void keepAliveReuseWithCurl(Backend backend) throws Exception {
        String url = servers.url(backend, "/plaintext");
        Result r = curl("-v", url, url, url);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("Hello, World!".repeat(3), r.stdout());
        assertTrue(r.stderr().contains("Re-using existing connection"), r.stderr());
        assertTrue(r.stderr().contains("< Server: pollen"), r.stderr());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void chunkedUploadWithCurl(Backend backend) throws Exception {
        byte[] data = new byte[300_000];
        new Random(42).nextBytes(data);
        Path file = Files.write(dir.resolve("upload-" + backend.id() + ".bin"), data);
        Result r = curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, servers.url(backend, "/echo"));
        assertEquals(0, r.exit(), r.stderr());
        assertArrayEquals(data, r.stdout().getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void headHttp10AndDelayWithCurl(Backend backend) throws Exception {
        Result head = curl("-I", servers.url(backend, "/plaintext"));
        assertEquals(0, head.exit(), head.stderr());
        assertTrue(head.stdout().startsWith("HTTP/1.1 200 OK\r\n"), head.stdout());
        assertTrue(head.stdout().contains("Content-Length: 13\r\n"), head.stdout());

        Result http10 = curl("-0", "-v", servers.url(backend, "/plaintext"));
        assertEquals("Hello, World!", http10.stdout());
        assertTrue(http10.stderr().contains("< Connection: close"), http10.stderr());

        Result delay = curl(servers.url(backend, "/delay/100/url/http://www.google.com"));
        assertEquals("url/http://www.google.com", delay.stdout());

        Result notFound = curl("-o", "/dev/null", "-w", "%{http_code}", servers.url(backend, "/nothing"));
        assertEquals("404", notFound.stdout());

        Result post = curl("--data-binary", "small body", servers.url(backend, "/echo"));
        assertEquals("small body", post.stdout());
    }
}
