package io.pollen.cli;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pollen serve} under faults: a dead event loop makes it exit non-zero (so that a
 * supervisor restarts it) instead of living on without a listener; {@code --max-connections}
 * answers the connection beyond it 503.
 */
@Timeout(60)
class ServeFaultsTest {
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

    @AfterEach
    void restore() {
        DemoServer.runtimeForTests = b -> b;
    }

    @Test
    void serveExitsNonZeroWhenAnEventLoopDies() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        // A clock that breaks makes every iteration of the loop throw: the loop gives up and dies.
        DemoServer.runtimeForTests = b -> b.clock(() -> {
            if (broken.get()) {
                throw new InternalError("the clock broke");
            }
            return System.nanoTime();
        });
        Cli cli = new Cli();
        Thread serving = Thread.ofPlatform().name("pollen-serve-dies").start(() -> cli.runHere("serve", "--port", "0"));
        ServeAndUsageTest.awaitUrl(cli);
        broken.set(true);
        serving.join(20_000);
        assertFalse(serving.isAlive(), "serve kept running with a dead loop: " + cli);
        assertEquals(Pollen.FAILED, cli.exitCode, cli.toString());
        assertTrue(cli.stderr().contains("an event loop died"), cli.toString());
        assertTrue(cli.stderr().contains("the clock broke"), cli.toString());
    }

    @Test
    void maxConnectionsAnswersTheOneBeyond503() throws Exception {
        Cli cli = new Cli();
        Thread serving = Thread.ofPlatform().name("pollen-serve-max").start(
                () -> cli.runHere("serve", "--port", "0", "--max-connections", "2"));
        URI url = URI.create(ServeAndUsageTest.awaitUrl(cli));
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = open(url);
                held.add(s);
                assertTrue(exchange(s).startsWith("HTTP/1.1 200 "));
            }
            try (Socket extra = open(url)) {
                String reply = exchange(extra);
                assertTrue(reply.startsWith("HTTP/1.1 503 "), reply);
                assertTrue(reply.contains("Connection: close"), reply);
                assertEquals(-1, extra.getInputStream().read(), "closed after the 503");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
            serving.interrupt();
            serving.join(10_000);
        }
        assertEquals(ServeCommand.INTERRUPTED, cli.exitCode, cli.toString());
    }

    @Test
    void maxConnectionsIsValidatedAndDocumented() {
        Cli bad = Cli.run("serve", "--max-connections", "0");
        assertEquals(Pollen.USAGE, bad.exitCode, bad.toString());
        assertTrue(bad.stderr().contains("--max-connections"), bad.toString());
        Cli help = Cli.run("serve", "--help");
        assertTrue(help.stdout().contains("--max-connections=N"), help.toString());
        assertTrue(help.stdout().contains("503"), help.toString());
        assertTrue(help.stdout().contains("event loop dies"), help.toString());
    }

    private static Socket open(URI url) throws Exception {
        Socket s = new Socket(url.getHost(), url.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends one GET, returns the response head and body (Content-Length framed, read whole). */
    private static String exchange(Socket s) throws Exception {
        s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return head.toString();
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
