package io.pollen.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code pollen args...} in-process and keeps what it printed. */
final class Cli {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    int exitCode = -1;

    static Cli run(String... args) {
        Cli cli = new Cli();
        cli.exitCode = Pollen.run(new PrintWriter(cli.out, true), new PrintWriter(cli.err, true), args);
        return cli;
    }

    /** Runs on this thread, for callers that run it on a thread of their own. */
    void runHere(String... args) {
        exitCode = Pollen.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    List<String> lines() {
        return out.toString().lines().toList();
    }

    String stdout() {
        return out.toString();
    }

    String stderr() {
        return err.toString();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /**
     * The kqueue library this test JVM was given ({@code -Dpollen.kqueue.library}), as a flag for a
     * child JVM, so that a child started on the kqueue backend finds it too; a harmless
     * {@code -Dpollen.kqueue.library=} when there is none.
     */
    static String kqueueLibraryFlag() {
        return "-Dpollen.kqueue.library=" + System.getProperty("pollen.kqueue.library", "");
    }

    /**
     * The command line of {@code pollen args...} in a child JVM (C1 only, a small heap, this test's
     * class path and kqueue library), with {@code jvmOptions} before the class path.
     */
    static List<String> pollenChild(List<String> jvmOptions, List<String> args) {
        String bin = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>(List.of(bin, "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-Xmx256m", "-XX:+UseSerialGC", kqueueLibraryFlag()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Pollen.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** What a child process did: its exit code and everything it printed. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /**
     * Runs {@code cmd} to its end (stdin empty) and keeps what it printed; a child still running
     * after {@code seconds} is killed with its descendants and fails the test.
     */
    static Run runToEnd(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("pollen-child", ".out");
        Path err = Files.createTempFile("pollen-child", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new AssertionError(cmd + " still running after " + seconds + " s: " + Files.readString(out));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * {@link #pollenChild} that may open at most {@code limit} file descriptors ({@code ulimit -n}
     * through bash, soft and hard).
     */
    static List<String> pollenWithFdLimit(int limit, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$0\" \"$@\""));
        cmd.addAll(pollenChild(jvmOptions, args));
        return cmd;
    }
}
