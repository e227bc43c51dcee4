package io.pollen.cli;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pollen serve} answering real clients, and bad arguments everywhere giving usage errors. */
@Timeout(60)
class ServeAndUsageTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        JdkWarmUp.nio();
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    @Test
    void serveAnswersPlaintextDelayAndEchoUntilInterrupted() throws Exception {
        Cli cli = new Cli();
        Thread serving = Thread.ofPlatform().name("pollen-serve-test").start(() -> cli.runHere("serve", "--port", "0"));
        String url = awaitUrl(cli);
        try (HttpClient jdk = HttpClient.newHttpClient()) {
            HttpResponse<String> plain = jdk.send(HttpRequest.newBuilder(URI.create(url + "/plaintext")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plain.statusCode());
            assertEquals("Hello, World!", plain.body());

            HttpResponse<String> slow = jdk.send(HttpRequest.newBuilder(URI.create(url + "/delay/50/hi")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, slow.statusCode());
            assertEquals("hi", slow.body());

            HttpResponse<String> echo = jdk.send(HttpRequest.newBuilder(URI.create(url + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("ping")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("ping", echo.body());
        }
        serving.interrupt();
        serving.join(10_000);
        assertFalse(serving.isAlive(), "serve did not stop when interrupted");
        assertEquals(ServeCommand.INTERRUPTED, cli.exitCode, cli.toString());
        assertTrue(cli.stdout().contains("pollen serve: stopped"), cli.toString());
    }

    @Test
    void serveOnAPortInUseFailsClearly() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Cli cli = Cli.run("serve", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
            assertTrue(cli.stderr().startsWith("serve: "), cli.toString());
            assertTrue(cli.stderr().contains("EADDRINUSE") || cli.stderr().toLowerCase().contains("address already in use"),
                    cli.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "frobnicate", "--nope",
            "demo --tasks 0", "demo --tasks many", "demo --delay -1", "demo --style fibers",
            "demo --backend kqueue", "demo --backend iouring", "demo --url ftp://example.com/",
            "demo --url not-a-url", "demo --progress sparkles", "demo --timeout 0",
            "serve --port 70000", "serve --loops 0", "serve --backend nope", "serve --host no-such-host.invalid",
            "serve --drain-timeout 10", "serve --drain-timeout -1s", "serve --drain-timeout soon",
            "bench --extra"})
    void badArgumentsAreUsageErrors(String args) {
        Cli cli = Cli.run(args.isEmpty() ? new String[0] : args.split(" "));
        assertEquals(Pollen.USAGE, cli.exitCode, cli.toString());
        assertTrue(cli.stderr().contains("Usage: pollen"), cli.toString());
        assertEquals("", cli.stdout(), cli.toString());
    }

    @Test
    void helpAndVersionSucceed() {
        Cli help = Cli.run("--help");
        assertEquals(Pollen.OK, help.exitCode);
        assertTrue(help.stdout().contains("Exit codes:"), help.toString());
        for (String cmd : new String[] {"demo", "serve", "bench"}) {
            assertTrue(help.stdout().contains("  " + cmd + " "), help.toString());
        }
        Cli version = Cli.run("--version");
        assertEquals(Pollen.OK, version.exitCode);
        assertTrue(version.stdout().startsWith("pollen "), version.toString());
        Cli bench = Cli.run("bench");
        assertEquals(Pollen.OK, bench.exitCode);
        assertTrue(bench.stdout().contains("bench"), bench.toString());
    }

    static String awaitUrl(Cli cli) throws InterruptedException {
        Pattern listening = Pattern.compile("listening on (http://\\S+)");
        for (int i = 0; i < 200; i++) {
            Matcher m = listening.matcher(cli.stdout());
            if (m.find()) {
                return m.group(1);
            }
            if (cli.exitCode != -1) {
                throw new AssertionError("serve ended early: " + cli);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("serve never printed its URL: " + cli);
    }
}
