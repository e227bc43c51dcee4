package io.pollen.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

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
