package io.pollen.examples;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Step 1: the chapter's Reactor/Executor on Poll + TcpStream, against a real slow server. */
@Timeout(60)
class ChapterReactorExecutorTest {
    @BeforeAll
    static void before() throws IOException {
        java.nio.channels.SocketChannel.open().close(); // the JDK's once-per-JVM nio fds are not ours
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void receivesTheSlowResponseFromTheJdkServer(Backend backend) throws Exception {
        try (JdkSlowServer server = new JdkSlowServer()) {
            Trace trace = new Trace();
            String response = ChapterReactorExecutor.run(
                    Target.parse(server.url() + "/delay/500/url/http://www.google.com"), backend, trace.out);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("slept 500 ms\n"), response);
            List<String> lines = trace.lines();
            // The chapter's trace, in order: polling while suspended, the event, the resumption,
            // the response, then the loop stopped by closing the Poll.
            int waiting = lines.indexOf("TASK 10: request sent, suspended until the response is ready") + 1;
            assertTrue(waiting > 0, lines.toString());
            assertTrue(lines.get(waiting).startsWith("Waiting! Poll{" + backend.id()), lines.toString());
            int event = lines.subList(waiting, lines.size()).indexOf("EVENT: 10 is ready") + waiting;
            assertTrue(event > waiting, lines.toString());
            // The executor resumes the task after the event; the reactor's thread prints on its own,
            // so its lines (polling again, a spurious repeat of the event) may come in between.
            int resuming = lines.subList(event, lines.size()).indexOf("RESUMING TASK: 10") + event;
            assertTrue(resuming > event, lines.toString());
            assertTrue(lines.subList(event + 1, resuming).stream()
                    .allMatch(l -> l.startsWith("Waiting! Poll{") || l.equals("EVENT: 10 is ready")), lines.toString());
            int ok = lines.indexOf("HTTP/1.1 200 OK");
            assertTrue(ok > event, lines.toString());
            // The task stops the loop after printing the response. The executor may still log an
            // event the reactor queued before that (a stale one, skipped): the two threads print
            // independently, so only such lines may follow the reactor's last.
            int stopped = lines.indexOf("INTERRUPTED: Poll closed.");
            assertTrue(stopped > ok, lines.toString());
            assertTrue(lines.subList(stopped + 1, lines.size()).stream().allMatch("EVENT: 10 is ready"::equals),
                    lines.toString());
            assertReactorJoined();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aRefusedConnectionFailsTheTaskAndStopsTheReactor(Backend backend) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Trace trace = new Trace();
        IOException e = assertThrows(IOException.class, () -> ChapterReactorExecutor.run(
                Target.parse("http://127.0.0.1:" + closedPort + "/delay/10"), backend, trace.out));
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("refused"), String.valueOf(e));
        assertReactorJoined();
    }

    private static void assertReactorJoined() {
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("reactor")),
                "the reactor thread is still alive");
    }

    /** Captures what the example prints. */
    static final class Trace {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        List<String> lines() {
            return bytes.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }
}
