package io.pollen.cli;

import io.pollen.poll.Backend;
import io.pollen.testing.SocketFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pollen serve --unix PATH} answering {@code curl --unix-socket PATH} and
 * {@code pollen get --unix-socket PATH}, on every backend; the socket file removed when serve
 * stops; the errors (missing socket, path too long) named.
 */
@Timeout(60)
class UnixSocketCliTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void before() {
        JdkWarmUp.nio();
    }

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void serveUnixAnswersCurlAndPollenGet(Backend backend) throws Exception {
        Path sock = SocketFiles.fresh(dir, "serve");
        Cli cli = new Cli();
        Thread serving = Thread.ofPlatform().name("pollen-serve-unix").start(
                () -> cli.runHere("serve", "--unix", sock.toString(), "--backend", backend.id()));
        try {
            awaitListening(cli);
            assertTrue(cli.stdout().contains("listening on unix:" + sock), cli.toString());
            assertTrue(Files.exists(sock));

            String curled = curl("--unix-socket", sock.toString(), "http://localhost/plaintext");
            assertEquals("Hello, World!", curled);

            Cli get = Cli.run("get", "--unix-socket", sock.toString(), "--backend", backend.id(), "http://localhost/plaintext");
            assertEquals(Pollen.OK, get.exitCode, get.toString());
            assertTrue(get.stdout().startsWith("HTTP/1.1 200 OK\r\n"), get.toString());
            assertTrue(get.stdout().endsWith("\r\n\r\nHello, World!"), get.toString());

            Cli post = Cli.run("get", "--unix-socket", sock.toString(), "-d", "over a socket file", "http://localhost/echo");
            assertTrue(post.stdout().endsWith("over a socket file"), post.toString());
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
        assertFalse(serving.isAlive(), "serve did not stop");
        assertTrue(cli.stdout().contains("pollen serve: stopped"), cli.toString());
        assertFalse(Files.exists(sock), "serve removes its socket file when it stops");
    }

    @Test
    void errorsAreNamed() {
        Path missing = dir.resolve("nobody-listens.sock");
        Cli get = Cli.run("get", "--unix-socket", missing.toString(), "http://localhost/");
        assertEquals(Pollen.FAILED, get.exitCode, get.toString());
        if (Backend.select().nativeSockets()) {
            assertTrue(get.stderr().contains("ENOENT"), get.toString());
        }

        String tooLong = dir.resolve("x".repeat(150) + ".sock").toString();
        Cli serve = Cli.run("serve", "--unix", tooLong);
        assertEquals(Pollen.USAGE, serve.exitCode, serve.toString());
        assertTrue(serve.stderr().contains("at most"), serve.toString());
        Cli get2 = Cli.run("get", "--unix-socket", tooLong, "http://localhost/");
        assertEquals(Pollen.USAGE, get2.exitCode, get2.toString());
        assertTrue(get2.stderr().contains("sun_path"), get2.toString());
    }

    static String curl(String... args) throws Exception {
        boolean hasCurl = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "curl")));
        Assumptions.assumeTrue(hasCurl, "curl not installed");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.ISO_8859_1));
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    static void awaitListening(Cli cli) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (cli.stdout().contains("listening on")) {
                return;
            }
            if (cli.exitCode != -1) {
                throw new AssertionError("serve ended early: " + cli);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("serve never said it listens: " + cli);
    }
}
