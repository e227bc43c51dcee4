package io.pollen.cli;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where {@code pollen demo --tasks N} runs its demo server. In one process each task needs two
 * descriptors (its socket and the server's side of it), so on a machine whose limit is 20,000 the
 * issue's {@code --tasks 10000} did not fit and the demo refused to start. Now the server moves to a
 * child process when only the tasks fit, and the child ends with the demo. Scaled down here: a
 * child JVM with {@code ulimit -n 300}, where 200 tasks need about 464 in one process and 264 alone.
 */
@Timeout(180)
class DemoServerPlacementTest {
    static final int LIMIT = 300;
    private static final Pattern CHILD = Pattern.compile("in a child process \\(pid (\\d+); ");

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void tasksThatFitOnlyAloneGetTheServerInAChildThatEndsWithTheDemo(Backend backend) throws Exception {
        Cli.Run r = demo(List.of(), "--backend", backend.id(), "--tasks", "200", "--delay", "300", "--progress", "lines");
        assertEquals(Pollen.OK, r.exit(), r.toString());
        assertTrue(r.out().contains("in a child process (pid ") && r.out().contains("; the tasks and the server's side of"
                + " their connections need about 464 file descriptors, more than one process may open here (300,"
                + " ulimit -n))"), r.toString());
        assertTrue(r.out().contains("\n  successes    200/200\n"), r.toString());
        assertFalse(ProcessHandle.of(childPid(r)).map(ProcessHandle::isAlive).orElse(false),
                "the server's process ends with the demo: " + r);
    }

    /** The child stops when its input ends, and a killed demo's pipe ends too: no server is left behind. */
    @Test
    void aKilledDemoLeavesNoServerProcess() throws Exception {
        Path out = Files.createTempFile("pollen-demo", ".out");
        try {
            Process p = new ProcessBuilder(command(List.of(), "--tasks", "200", "--delay", "60000", "--progress", "off"))
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long child = -1;
            for (int i = 0; i < 600 && child < 0; i++) {
                Matcher m = CHILD.matcher(Files.readString(out));
                if (m.find()) {
                    child = Long.parseLong(m.group(1));
                } else {
                    Thread.sleep(100);
                }
            }
            assertTrue(child > 0, "no server line: " + Files.readString(out));
            p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no close()
            ProcessHandle server = ProcessHandle.of(child).orElse(null);
            if (server != null) {
                try {
                    server.onExit().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    server.destroyForcibly();
                    throw new AssertionError("the demo server's process " + child + " still ran 30 s after the demo was killed");
                }
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void tasksThatDoNotFitEvenAloneAreAUsageError() throws Exception {
        Cli.Run r = demo(List.of(), "--tasks", "250", "--delay", "10");
        assertEquals(Pollen.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("--tasks 250 needs about 314 file descriptors (one per task) even with the demo"
                + " server in another process but this process may open 300 (ulimit -n): raise the limit"), r.toString());
        assertFalse(r.err().contains("Usage:"), "nothing was misspelt: the reason, without the usage text under it\n" + r);
    }

    @Test
    void anEmbeddedServerAskedForThatDoesNotFitIsAUsageError() throws Exception {
        Cli.Run r = demo(List.of("-D" + DemoCommand.SERVER_PROPERTY + "=embedded"), "--tasks", "200", "--delay", "10");
        assertEquals(Pollen.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("--tasks 200 needs about 464 file descriptors (one per task, one per server"
                + " connection) but this process may open 300 (ulimit -n): raise the limit, or leave"
                + " -Dpollen.demo.server unset to run the demo server in a child process"), r.toString());
        assertFalse(r.err().contains("Usage:"), r.toString());
    }

    /** The child inherits the demo's JVM options, logging to stdout included: lines before its URL are skipped. */
    @Test
    void aChildThatLogsToStandardOutputStillServes() throws Exception {
        Cli.Run r = demo(List.of("-Xlog:gc*,safepoint:stdout"), "--tasks", "200", "--delay", "100", "--progress", "off");
        assertEquals(Pollen.OK, r.exit(), r.toString());
        assertTrue(r.out().contains("in a child process (pid ") && r.out().contains("\n  successes    200/200\n"), r.toString());
    }

    /** The child gets the demo's JVM options; one that stops its server is quoted, and the demo exits 1. */
    @Test
    void aServerProcessThatCannotStartIsReportedWithItsReason() throws Exception {
        assumeTrue(Backend.IO_URING.isAvailable(), "needs io_uring: " + Backend.IO_URING.unavailableReason());
        Cli.Run r = demo(List.of("-Dpollen.uring.entries=100"), "--backend", "io_uring", "--tasks", "200", "--delay", "10");
        assertEquals(Pollen.FAILED, r.exit(), r.toString());
        assertTrue(r.err().contains("the demo server's process did not start (exit 1): ")
                && r.err().contains("pollen.uring.entries=100"), r.toString());
    }

    /** In this JVM, the property puts the server in a child whatever the limit; a bad value is a usage error. */
    @Test
    void thePropertyChoosesAndABadValueIsRefused() {
        String before = System.getProperty(DemoCommand.SERVER_PROPERTY);
        try {
            System.setProperty(DemoCommand.SERVER_PROPERTY, "process");
            Cli child = Cli.run("demo", "--tasks", "20", "--delay", "100", "--progress", "off");
            assertEquals(Pollen.OK, child.exitCode, child.toString());
            assertTrue(child.stdout().contains("in a child process (pid ")
                    && child.stdout().contains("; -Dpollen.demo.server=process)"), child.toString());
            assertTrue(child.stdout().contains("\n  successes    20/20\n"), child.toString());

            System.setProperty(DemoCommand.SERVER_PROPERTY, "elsewhere");
            Cli bad = Cli.run("demo", "--tasks", "20");
            assertEquals(Pollen.USAGE, bad.exitCode, bad.toString());
            assertTrue(bad.stderr().contains("-Dpollen.demo.server must be auto, embedded or process: 'elsewhere'"),
                    bad.toString());
        } finally {
            if (before == null) {
                System.clearProperty(DemoCommand.SERVER_PROPERTY);
            } else {
                System.setProperty(DemoCommand.SERVER_PROPERTY, before);
            }
        }
    }


    private static long childPid(Cli.Run r) {
        Matcher m = CHILD.matcher(r.out());
        assertTrue(m.find(), r.toString());
        return Long.parseLong(m.group(1));
    }

    /** {@code pollen demo args} in a child JVM limited to {@value #LIMIT} descriptors, run to its end. */
    private static Cli.Run demo(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return Cli.runToEnd(command(jvmOptions, args), 120);
    }

    /** The command line of {@code pollen demo args} in a JVM limited to {@value #LIMIT} descriptors. */
    private static List<String> command(List<String> jvmOptions, String... args) {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "ulimit -n through bash, on Linux");
        List<String> all = new ArrayList<>(List.of("demo"));
        all.addAll(List.of(args));
        return Cli.pollenWithFdLimit(LIMIT, jvmOptions, all);
    }
}
