package io.pollen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * The {@code pollen} command: the Reactor–Executor pattern, runnable.
 *
 * <pre>
 * pollen demo                         the chapter's task on Pollen, with the chapter's trace
 * pollen demo --tasks 1000            a thousand of them at once on one event-loop thread
 * pollen get http://127.0.0.1:8080/   one request with Pollen's HTTP client
 * pollen serve --port 8080            the demo server (/delay, /plaintext, /echo)
 * pollen bench                        how to run the benchmark harness
 * </pre>
 *
 * <h2>Exit codes</h2>
 * <ul>
 *   <li>{@value #OK}: done; for {@code get}, a response arrived (whatever its status).</li>
 *   <li>{@value #FAILED}: the work failed: a connection refused, a timeout, a bad response, a demo
 *       task that did not get its answer. One line on stderr says why.</li>
 *   <li>{@value #USAGE}: bad arguments: an unknown option, a malformed number or URL. stderr
 *       shows the problem and the command's usage.</li>
 *   <li>130: interrupted by Ctrl-C (128 + SIGINT, the JVM's convention); 143 for SIGTERM.
 *       {@code serve} instead drains on either signal and exits {@value #OK} (see
 *       {@link ServeCommand}).</li>
 * </ul>
 *
 * <p>The entry point for tests is {@link #run(PrintWriter, PrintWriter, String...)}, which never
 * calls {@code System.exit}.
 */
@Command(name = "pollen", mixinStandardHelpOptions = true, versionProvider = Pollen.Version.class,
        description = "Pollen: the Reactor-Executor pattern for Java, on one event-loop thread.",
        subcommands = {DemoCommand.class, GetCommand.class, ServeCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done (for get: a response arrived)",
                "1:the work failed (refused, timeout, bad response); stderr says why",
                "2:bad arguments; stderr shows the usage",
                "130:interrupted (Ctrl-C); 143 for SIGTERM (serve drains and exits 0 on both)"})
public final class Pollen implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code pollen} alone prints the usage and fails: a subcommand is required. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: demo, get, serve or bench");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs {@code pollen args...} writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Pollen());
        cl.setOut(out);
        cl.setErr(err);
        CommandLine.IParameterExceptionHandler usual = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, given) -> {
            if (!(ex instanceof NotHere)) {
                return usual.handleParseException(ex, given);
            }
            // Nothing on the command line is wrong: the reason and a way out, no usage text.
            PrintWriter e = ex.getCommandLine().getErr();
            e.println(ex.getMessage());
            e.flush();
            return ex.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println(line.getCommandName() + ": " + describe(ex));
            if (Boolean.getBoolean("pollen.debug")) {
                ex.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return FAILED;
        });
        return cl.execute(args);
    }

    /**
     * One line naming what went wrong, without a stack trace: the cause's own message, prefixed by
     * what kind of failure it was when the message alone would be cryptic.
     */
    static String describe(Throwable t) {
        Throwable c = io.pollen.runtime.Completions.unwrap(t);
        String msg = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        if (c instanceof UnknownHostException) {
            return "unknown host: " + msg;
        }
        if (c instanceof ConnectException && !msg.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
            return "connection failed: " + msg;
        }
        if (c instanceof TimeoutException) {
            return c.getMessage() == null ? "timed out"
                    : msg.toLowerCase(java.util.Locale.ROOT).contains("timed out") ? msg : "timed out: " + msg;
        }
        return msg;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Pollen.class.getPackage().getImplementationVersion();
            return new String[] {"pollen " + (v == null ? "(development build)" : v)
                    + " on Java " + System.getProperty("java.version")};
        }
    }
}
