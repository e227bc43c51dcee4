package io.pollen.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pollen.bench.NativeBuild;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/native/echo_load.c}, the harness's echo load generator, compiled with gcc and run
 * for short spells against {@link TinyEchoServer}s that echo, corrupt, close or stall, and with
 * no server and bad arguments. Skipped (with the reason) where gcc is absent.
 */
class EchoLoadGeneratorTest {

    /** Every line echo_load prints, keys and number formats exactly as the harness parses them. */
    private static final String LINE = "\\{\"depth\":\\d+,\"rate\":\\d+\\.\\d,\"messages\":\\d+,\"conn_min\":\\d+,\"conn_max\":\\d+,\"p50_us\":\\d+\\.\\d,"
            + "\"p99_us\":\\d+\\.\\d,\"p999_us\":\\d+\\.\\d,\"gen_cpu\":\\d+\\.\\d{3},\"errors\":\\d+,\"seconds\":\\d+\\.\\d{3}(,\"offered\":\\d+,\"burst\":\\d+\\.\\d{2})?}";
    private static final List<String> SHORT = List.of("--warmup", "0.2", "--duration", "0.5");

    @TempDir
    static Path dir;
    private static Path binary;

    private record Run(int exit, List<String> lines, String stderr) {
        Map<String, Double> line(int i) {
            assertTrue(lines.get(i).matches(LINE), lines.get(i));
            return Results.parseFlatJson(lines.get(i));
        }
    }

    @BeforeAll
    static void compile() throws IOException, InterruptedException {
        binary = NativeBuild.gcc(dir, "echo_load");
    }

    private static Run exec(List<String> cmd) throws IOException, InterruptedException {
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("still running after 60 s: " + cmd);
        }
        return new Run(p.exitValue(), out.lines().toList(), Files.readString(err));
    }

    private static Run load(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(SHORT);
        return exec(cmd);
    }

    /** A clean run of {@code conns} connections: every connection took part, and the fairness bounds hold. */
    private static void assertCleanRun(Run r, int conns) {
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(2, r.lines().size(), "one line per depth: " + r.lines());
        for (int i = 0; i < 2; i++) {
            Map<String, Double> m = r.line(i);
            assertEquals(i == 0 ? 1.0 : 16.0, m.get("depth"), "depths in the order given");
            assertTrue(m.get("rate") > 0, r.lines().get(i));
            assertTrue(m.get("messages") > 0, r.lines().get(i));
            assertEquals(0.0, m.get("errors"), r.lines().get(i));
            assertTrue(m.get("p50_us") > 0 && m.get("p50_us") <= m.get("p99_us") && m.get("p99_us") <= m.get("p999_us"),
                    r.lines().get(i));
            assertTrue(m.get("seconds") > 0, r.lines().get(i));
            assertTrue(m.get("conn_min") > 0 && m.get("conn_min") <= m.get("conn_max"), r.lines().get(i));
            assertTrue(m.get("conn_min") * conns <= m.get("messages") && m.get("messages") <= m.get("conn_max") * conns,
                    "messages lie between the fewest and the most per connection, times " + conns + ": " + r.lines().get(i));
        }
    }

    @Test
    void echoesOverTcpWithoutErrorsAtEachDepthInTurn() throws Exception {
        try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.ECHO)) {
            assertCleanRun(load("--port", Integer.toString(s.port()), "--conns", "100", "--depths", "1,16", "--size", "32"), 100);
        }
    }

    @Test
    void echoesOverAUnixSocket() throws Exception {
        Path sock = dir.resolve("echo.sock");
        try (TinyEchoServer s = TinyEchoServer.unix(sock, TinyEchoServer.Mode.ECHO)) {
            assertCleanRun(load("--unix", sock.toString(), "--conns", "20", "--depths=1,16"), 20);
        }
    }

    @Test
    void messagesLargerThanOneReadAreReassembled() throws Exception {
        try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.ECHO)) {
            Run r = load("--port", Integer.toString(s.port()), "--conns", "4", "--depths", "16", "--size", "100000");
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.line(0).get("messages") > 0, r.lines().getFirst());
            // Edge-triggered: a connection whose bytes were not all read before waiting again gets
            // no new edge and stalls; every connection must have completed messages.
            assertTrue(r.line(0).get("conn_min") > 0, "a connection stalled: " + r.lines().getFirst());
            assertEquals(0.0, r.line(0).get("errors"), r.lines().getFirst());
        }
    }

    /**
     * --rate: the run holds the offered load (a server that keeps up gets that many messages per
     * second, not more), reports it, and loses nothing; without --rate no "offered" key appears.
     */
    @Test
    void aFixedRateIsTheLoadTheServerGets() throws Exception {
        try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.ECHO)) {
            Run r = load("--port", Integer.toString(s.port()), "--conns", "10", "--depths", "1,16", "--rate", "4000");
            assertCleanRun(r, 10);
            for (int i = 0; i < 2; i++) {
                Map<String, Double> m = r.line(i);
                assertEquals(4000.0, m.get("offered"), r.lines().get(i));
                // Never more than offered: the bucket holds at most 2 ms of tokens, a few percent over
                // 0.5 s. Not less than half: the tiny server keeps up on an idle machine (within a few
                // percent of 4000), but a busy one (a build beside it) can hold it back, which is not the
                // generator's doing.
                assertTrue(m.get("rate") > 2000 && m.get("rate") < 4400, r.lines().get(i));
            }
            Run free = load("--port", Integer.toString(s.port()), "--conns", "10", "--depths", "16");
            assertEquals(0, free.exit(), free.stderr());
            assertTrue(!free.line(0).containsKey("offered"), free.lines().getFirst());
            assertTrue(free.line(0).get("rate") > 4400, "unpaced, the tiny server does more: " + free.lines().getFirst());
        }
    }

    /**
     * --rate spreads the writes: the generator wakes when the next token is due, so a wake-up writes
     * about one message ("burst"). Until it did, it slept a whole millisecond whenever connections
     * waited for tokens and then wrote the millisecond's tokens at once (20 here, 100 at 100k msg/s):
     * the server's answers to such a burst queue behind each other, and that queue was the p99 the
     * harness reported for the server. A late wake-up on a busy machine writes a few at once; the
     * mean stays near one.
     */
    @Test
    void pacedWritesAreSpreadNotBurst() throws Exception {
        try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.ECHO)) {
            Run r = load("--port", Integer.toString(s.port()), "--conns", "100", "--depths", "1", "--rate", "20000");
            assertEquals(0, r.exit(), r.stderr());
            Map<String, Double> m = r.line(0);
            assertEquals(0.0, m.get("errors"), r.lines().getFirst());
            assertTrue(m.get("burst") >= 1 && m.get("burst") < 4, "messages per wake-up that wrote any: " + r.lines().getFirst());
        }
    }

    @Test
    void corruptedEchoesCountAsErrors() throws Exception {
        try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.CORRUPT)) {
            Run r = load("--port", Integer.toString(s.port()), "--conns", "10", "--depths", "1,16");
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.line(0).get("errors") > 0, r.lines().get(0));
            assertTrue(r.line(1).get("errors") > 0, r.lines().get(1));
        }
    }

    @Test
    void aServerThatClosesItsConnectionsIsAnErrorExit() throws Exception {
        try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.CLOSE)) {
            Run r = load("--port", Integer.toString(s.port()), "--conns", "10", "--depths", "1");
            assertNotEquals(0, r.exit());
            assertTrue(r.lines().isEmpty(), r.lines().toString());
            assertTrue(r.stderr().matches("echo_load: connection \\d+ to 127\\.0\\.0\\.1:\\d+: (recv|send|SO_ERROR): "
                    + "(end of stream|Connection reset by peer|Broken pipe) \\(the server closed the connection\\)\n"),
                    r.stderr());
        }
    }

    /** Unpaced and paced (--rate: connections then wait for echoes and tokens both). */
    @Test
    void aStalledServerStillEndsTheRunOnTime() throws Exception {
        for (String rate : List.of("0", "5000")) {
            try (TinyEchoServer s = TinyEchoServer.tcp(TinyEchoServer.Mode.STALL)) {
                stalledRunEnds(load("--port", Integer.toString(s.port()), "--conns", "10", "--depths", "1,16", "--rate", rate));
            }
        }
    }

    /** The run ended on its own with a line per depth, and nothing came back. */
    private static void stalledRunEnds(Run r) {
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(2, r.lines().size(), r.lines().toString());
        for (int i = 0; i < 2; i++) {
            assertEquals(0.0, r.line(i).get("messages"), r.lines().get(i));
            assertEquals(0.0, r.line(i).get("conn_max"), r.lines().get(i));
            assertEquals(0.0, r.line(i).get("rate"), r.lines().get(i));
            assertEquals(0.0, r.line(i).get("errors"), r.lines().get(i));
        }
    }

    @Test
    void noServerListeningIsARefusedConnect() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free now, and nothing listens on it once closed
        }
        Run r = load("--port", Integer.toString(port), "--depths", "1");
        assertNotEquals(0, r.exit());
        assertTrue(r.lines().isEmpty(), r.lines().toString());
        assertTrue(r.stderr().contains("connect to 127.0.0.1:" + port) && r.stderr().contains("Connection refused"),
                r.stderr());
    }

    @Test
    void badArgumentsPrintTheUsageAndExit2() throws Exception {
        List<List<String>> bad = List.of(
                List.of(),
                List.of("--port", "abc"),
                List.of("--port", "0"),
                List.of("--port", "1", "--unix", "/tmp/x.sock"),
                List.of("--port", "1", "--depths", "1,,x"),
                List.of("--port", "1", "--duration", "0"),
                List.of("--port", "1", "--warmup", "-1"),
                List.of("--port", "1", "--size", "0"),
                List.of("--port", "1", "--conns"),
                List.of("--port", "1", "--rate", "-1"),
                List.of("--port", "1", "--rate", "2.5"),
                List.of("--port", "1", "--bogus", "2"),
                List.of("port", "1"));
        for (List<String> args : bad) {
            List<String> cmd = new ArrayList<>(List.of(binary.toString()));
            cmd.addAll(args);
            Run r = exec(cmd);
            assertEquals(2, r.exit(), args + ": " + r.stderr());
            assertTrue(r.stderr().contains("usage: echo_load --port P | --unix PATH"), args + ": " + r.stderr());
            assertTrue(r.lines().isEmpty(), args + ": " + r.lines());
        }
    }
}
