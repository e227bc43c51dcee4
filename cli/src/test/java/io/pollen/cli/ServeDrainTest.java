package io.pollen.cli;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code pollen serve} as a process of its own, stopped by SIGTERM or SIGINT while requests run:
 * every request in flight gets its complete response, and the process exits 0; one still running
 * at {@code --drain-timeout} is closed, and the exit is still 0.
 */
@Timeout(120)
class ServeDrainTest {
    static final int CLIENTS = 50;

    @BeforeAll
    static void before() {
        JdkWarmUp.nio();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void sigtermDrainsRequestsInFlightThenExitsZero(Backend backend) throws Exception {
        try (ServeChild serve = ServeChild.start("--backend", backend.id(), "--loops", "2")) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    Socket s = serve.connect();
                    clients.add(s);
                    send(s, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
                    assertTrue(readResponse(s.getInputStream()).contains("Hello, World!"), "served before the stop");
                }
                for (int i = 0; i < CLIENTS; i++) {
                    send(clients.get(i), "GET /delay/1500/r" + i + " HTTP/1.1\r\nHost: t\r\n\r\n");
                }
                serve.process().destroy(); // SIGTERM
                for (int i = 0; i < CLIENTS; i++) {
                    String r = readToEnd(clients.get(i).getInputStream());
                    assertTrue(r.startsWith("HTTP/1.1 200 OK\r\n"), "request " + i + " answered: " + r + serve);
                    assertTrue(r.contains("\r\nConnection: close\r\n"), r);
                    assertTrue(r.endsWith("\r\n\r\nr" + i), "the whole body: " + r);
                    clients.get(i).close();
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
            assertEquals(0, serve.exitCode(), serve.toString());
            assertTrue(serve.stdout().contains("SIGTERM: draining"), serve.toString());
            assertTrue(serve.stdout().contains("every request in flight was answered"), serve.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void sigintPastTheDrainTimeoutClosesWhatRunsAndExitsZero(Backend backend) throws Exception {
        try (ServeChild serve = ServeChild.start("--backend", backend.id(), "--drain-timeout", "300ms");
             Socket s = serve.connect()) {
            send(s, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(readResponse(s.getInputStream()).contains("Hello, World!"));
            send(s, "GET /delay/60000/never HTTP/1.1\r\nHost: t\r\n\r\n");
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(serve.process().pid())).start();
            assertEquals(0, kill.waitFor());
            assertEquals("", readToEnd(s.getInputStream()), "closed at the deadline without an answer");
            assertEquals(0, serve.exitCode(), serve.toString());
            assertTrue(serve.stdout().contains("SIGINT: draining (up to 300ms)"), serve.toString());
            assertTrue(serve.stdout().contains("still running at the deadline were closed"), serve.toString());
        }
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** One response with a Content-Length body, read exactly (the connection stays usable). */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed mid-head: " + head);
            }
            head.write(c);
        }
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head.toString(StandardCharsets.US_ASCII));
        assertTrue(m.find(), head.toString());
        return head + new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.US_ASCII);
    }

    /** Everything until the server closes (a reset ends it too). */
    private static String readToEnd(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // reset: keep what came
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
