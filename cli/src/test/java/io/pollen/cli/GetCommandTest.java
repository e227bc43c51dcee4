package io.pollen.cli;

import io.pollen.poll.Backend;
import io.pollen.testing.Fds;
import io.pollen.testing.ScriptedPeer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code pollen get} against Pollen's demo server and python3's http.server, and its failures. */
@Timeout(60)
class GetCommandTest {
    static Fds.Snapshot fds;
    static DemoServer demo;

    @BeforeAll
    static void before() throws Exception {
        JdkWarmUp.nio();
        fds = Fds.snapshot();
        demo = DemoServer.start(Backend.select(), 1, 0);
    }

    @AfterAll
    static void after() {
        demo.close();
        fds.assertNoLeak();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void getsFromTheDemoServer(Backend backend) {
        Cli cli = Cli.run("get", "--backend", backend.id(), demo.url() + "/delay/100/url/http://www.google.com");
        assertEquals(Pollen.OK, cli.exitCode, cli.toString());
        List<String> lines = cli.lines();
        assertEquals("HTTP/1.1 200 OK", lines.get(0), cli.toString());
        assertTrue(lines.contains("Content-Length: 25"), cli.toString());
        assertEquals("", lines.get(lines.size() - 2), cli.toString());
        assertEquals("url/http://www.google.com", lines.getLast(), cli.toString());
    }

    @Test
    void postsDataAndHeadersToEcho() {
        Cli cli = Cli.run("get", "-d", "héllo", "-H", "Content-Type: text/plain; charset=utf-8", demo.url() + "/echo");
        assertEquals(Pollen.OK, cli.exitCode, cli.toString());
        assertEquals("héllo", cli.lines().getLast(), cli.toString());
    }

    @Test
    void reportsErrorStatusesAndFailsOnThemOnlyWhenAsked() {
        Cli plain = Cli.run("get", demo.url() + "/no-such-route");
        assertEquals(Pollen.OK, plain.exitCode, plain.toString());
        assertTrue(plain.lines().getFirst().startsWith("HTTP/1.1 404"), plain.toString());
        Cli failing = Cli.run("get", "--fail", demo.url() + "/no-such-route");
        assertEquals(Pollen.FAILED, failing.exitCode, failing.toString());
    }

    @Test
    void getsFromPythonHttpServer(@TempDir Path dir) throws Exception {
        assumeTrue(hasPython(), "python3 is not installed");
        Files.writeString(dir.resolve("hello.txt"), "hello from python\n");
        Process python = new ProcessBuilder("python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                "--directory", dir.toString()).redirectErrorStream(true).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
            Matcher m = Pattern.compile("port (\\d+)").matcher(lines.readLine());
            assertTrue(m.find(), "python did not say its port");
            Cli cli = Cli.run("get", "http://127.0.0.1:" + m.group(1) + "/hello.txt");
            assertEquals(Pollen.OK, cli.exitCode, cli.toString());
            List<String> out = cli.lines();
            assertTrue(out.getFirst().matches("HTTP/1\\.[01] 200 OK"), cli.toString());
            assertTrue(out.stream().anyMatch(l -> l.startsWith("Server: SimpleHTTP/")), cli.toString());
            assertTrue(out.contains("Content-Length: 18"), cli.toString());
            assertEquals("hello from python", out.getLast(), cli.toString());
        } finally {
            python.destroy();
            python.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusedConnectionIsAClearFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Cli cli = Cli.run("get", "http://127.0.0.1:" + closedPort + "/");
        assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
        assertTrue(cli.stderr().startsWith("get: "), cli.toString());
        assertTrue(cli.stderr().toLowerCase().contains("refused"), cli.toString());
        assertEquals("", cli.stdout());
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Cli cli = Cli.run("get", "--timeout", "300", "http://127.0.0.1:" + silent.getLocalPort() + "/");
            assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
            assertTrue(cli.stderr().startsWith("get: timed out"), cli.toString());
        }
    }

    /** A response trickled a byte at a time ends at --max-time, with a message that says so. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aTrickledResponseEndsAtMaxTimeAndSaysWhy(Backend backend) throws Exception {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100);
        try (ScriptedPeer server = new ScriptedPeer(30, out -> {
            for (byte b : response.getBytes(StandardCharsets.ISO_8859_1)) {
                out.write(b);
                out.flush();
                Thread.sleep(200);
            }
        })) {
            Cli cli = Cli.run("get", "--backend", backend.id(), "--max-time", "1000", server.url());
            assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
            assertTrue(cli.stderr().matches("(?s)get: timed out: response not complete within 1 s \\(the request deadline\\): "
                    + "stalled after \\d+ bytes\\R"), cli.toString());
            assertEquals("", cli.stdout());
            assertTrue(server.clientClosed().get(30, TimeUnit.SECONDS), "the connection was closed");
        }
    }

    @Test
    void aStalledOrMalformedResponseIsNamed() throws Exception {
        try (ScriptedPeer server = new ScriptedPeer(30, out -> ScriptedPeer.send(out, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"))) {
            Cli cli = Cli.run("get", "--timeout", "300", server.url());
            assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
            assertTrue(cli.stderr().startsWith("get: timed out: response stalled after 41 bytes: nothing more for 300 ms"),
                    cli.toString());
        }
        try (ScriptedPeer server = new ScriptedPeer(30, out -> ScriptedPeer.send(out, "HTTP/1.1 999 Odd\r\n\r\n"))) {
            Cli cli = Cli.run("get", server.url());
            assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
            assertTrue(cli.stderr().startsWith("get: status code 999 out of range 100-599"), cli.toString());
        }
    }

    /** Long.MAX_VALUE ms is "forever", not an overflow into an instant timeout. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void timeoutsAtLongMaxValueWork(Backend backend) {
        String max = String.valueOf(Long.MAX_VALUE);
        Cli cli = Cli.run("get", "--backend", backend.id(), "--timeout", max, "--connect-timeout", max, "--max-time", max,
                demo.url() + "/delay/50/url/x");
        assertEquals(Pollen.OK, cli.exitCode, cli.toString());
        assertEquals("url/x", cli.lines().getLast(), cli.toString());
        Cli plain = Cli.run("get", "--backend", backend.id(), "--timeout", max, demo.url() + "/delay/50/url/y");
        assertEquals(Pollen.OK, plain.exitCode, plain.toString());
    }

    @Test
    void unknownHostIsAFailureNotAUsageError() {
        Cli cli = Cli.run("get", "http://no-such-host.invalid/");
        assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
        assertTrue(cli.stderr().contains("no-such-host.invalid"), cli.toString());
    }

    @Test
    void badUrlsAndOptionsAreUsageErrors() {
        for (String[] args : new String[][] {
                {"get"}, {"get", "https://example.com/"}, {"get", "example.com"}, {"get", "http://127.0.0.1:99999/"},
                {"get", "-H", "no-colon", "http://127.0.0.1/"}, {"get", "--timeout", "0", "http://127.0.0.1/"},
                {"get", "--max-time", "0", "http://127.0.0.1/"},
                {"get", "--backend", "kqueue", "http://127.0.0.1/"}, {"get", "http://a/", "http://b/"}}) {
            Cli cli = Cli.run(args);
            assertEquals(Pollen.USAGE, cli.exitCode, String.join(" ", args) + "\n" + cli);
            assertTrue(cli.stderr().contains("Usage: pollen get"), cli.toString());
        }
    }

    private static boolean hasPython() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
