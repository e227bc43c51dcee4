package io.pollen.cli;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pollen demo}: the chapter's trace for one task, and many tasks on one loop thread. */
@Timeout(120)
class DemoCommandTest {
    @BeforeAll
    static void before() {
        JdkWarmUp.nio();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void oneTaskPrintsTheChaptersTraceInOrder(Backend backend) {
        Cli cli = Cli.run("demo", "--backend", backend.id(), "--delay", "700");
        assertEquals(Pollen.OK, cli.exitCode, cli.toString());
        List<String> lines = cli.lines();
        assertEquals("pollen demo: the chapter's task as a Pollen task (" + backend.id()
                + " backend, one event-loop thread)", lines.get(0), cli.toString());
        assertTrue(lines.get(1).startsWith("server: Pollen's demo server at http://127.0.0.1:"), cli.toString());
        assertEquals("request: GET /delay/700/url/http://www.google.com", lines.get(2));
        // In order: connect, send, suspend; "Waiting!" while suspended; the event; the resumption;
        // the response; EXITING last.
        int suspended = indexOf(lines, 0, "TASK 10: request sent; suspended until the response is ready");
        assertTrue(indexOf(lines, 0, "TASK 10: connected; sending GET /delay/700/url/http://www.google.com") < suspended);
        int waiting = indexOf(lines, suspended, "Waiting! TASK 10 is suspended; the event loop (");
        int event = indexOf(lines, waiting, "EVENT: 10 is ready");
        int next = event + 1;
        while (next < lines.size() && lines.get(next).equals("EVENT: 10 is ready")) {
            next++;   // a repeat of the event (io_uring: the data and the end of stream, two completions), as the contract allows
        }
        assertEquals("RESUMING TASK: 10", lines.get(next), cli.toString());
        int status = indexOf(lines, event, "HTTP/1.1 200 OK");
        int body = indexOf(lines, status, "url/http://www.google.com");
        assertTrue(body > status);
        assertEquals("EXITING", lines.getLast(), cli.toString());
        // About 700 ms / 200 ms of waiting: several lines, not a busy loop printing thousands.
        long waits = lines.stream().filter(l -> l.startsWith("Waiting!")).count();
        assertTrue(waits >= 2 && waits <= 10, cli.toString());
    }

    /** {@code --timeout 9223372036854775807} is "forever": no overflow into an instant timeout. */
    @ParameterizedTest
    @MethodSource("backendsAndStyles")
    void aTimeoutOfLongMaxValueWorks(Backend backend, String style) {
        String max = String.valueOf(Long.MAX_VALUE);
        Cli many = Cli.run("demo", "--backend", backend.id(), "--style", style, "--tasks", "20", "--delay", "50",
                "--timeout", max, "--progress", "off");
        assertEquals(Pollen.OK, many.exitCode, many.toString());
        assertTrue(many.stdout().contains("\n  successes    20/20\n"), many.toString());
        if (style.equals("async")) {
            Cli one = Cli.run("demo", "--backend", backend.id(), "--delay", "50", "--timeout", max);
            assertEquals(Pollen.OK, one.exitCode, one.toString());
            assertEquals("EXITING", one.lines().getLast(), one.toString());
        }
    }

    static Stream<Object[]> backendsAndStyles() {
        return io.pollen.testing.TestBackends.all()
                .flatMap(b -> Stream.of(new Object[] {b, "async"}, new Object[] {b, "virtual"}));
    }

    @ParameterizedTest
    @MethodSource("backendsAndStyles")
    void aThousandTasksOnOneThreadAllSucceed(Backend backend, String style) {
        Cli cli = Cli.run("demo", "--backend", backend.id(), "--style", style, "--tasks", "1000",
                "--delay", "500", "--progress", "lines");
        assertEquals(Pollen.OK, cli.exitCode, cli.toString());
        String out = cli.stdout();
        assertTrue(out.contains("progress: 1000/1000 tasks done (100%)"), out);
        assertTrue(out.contains("\n  requests     1000 (" + style + " tasks, " + backend.id() + " backend)"), out);
        assertTrue(out.contains("\n  successes    1000/1000\n"), out);
        assertTrue(out.contains("\n  one by one   1000 x 500 ms = 8 min 20 s"), out);
        assertTrue(out.contains("\n  threads      1 event-loop thread "), out);
        assertTrue(out.contains("\n  peak memory  "), out);
    }

    @Test
    void aRefusedServerFailsWithExitCodeOneAndSaysWhy() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Cli one = Cli.run("demo", "--url", "http://127.0.0.1:" + closedPort + "/delay/10");
        assertEquals(Pollen.FAILED, one.exitCode, one.toString());
        assertTrue(one.stderr().startsWith("demo: "), one.toString());
        assertTrue(one.stderr().toLowerCase().contains("refused"), one.toString());

        Cli many = Cli.run("demo", "--url", "http://127.0.0.1:" + closedPort + "/delay/10", "--tasks", "20",
                "--progress", "off");
        assertEquals(Pollen.FAILED, many.exitCode, many.toString());
        assertTrue(many.stdout().contains("successes    0/20  (first failure: "), many.toString());
        assertTrue(many.stdout().toLowerCase().contains("refused"), many.toString());
        assertTrue(many.stdout().contains("\n  threads      1 event-loop thread ran the tasks"), many.toString());
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        // The kernel completes the connect (backlog); nobody ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/delay/10";
            Cli one = Cli.run("demo", "--url", url, "--timeout", "300");
            assertEquals(Pollen.FAILED, one.exitCode, one.toString());
            assertTrue(one.stderr().contains("no complete response from " + url + " within 300 ms"), one.toString());

            Cli many = Cli.run("demo", "--url", url, "--timeout", "300", "--tasks", "5", "--progress", "off");
            assertEquals(Pollen.FAILED, many.exitCode, many.toString());
            assertTrue(many.stdout().contains("successes    0/5  (first failure: timed out"), many.toString());
        }
    }

    private static int indexOf(List<String> lines, int from, String prefix) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' after line " + from + " in:\n"
                + String.join("\n", lines));
    }
}
