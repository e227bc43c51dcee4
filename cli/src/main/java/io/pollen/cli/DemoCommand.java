package io.pollen.cli;

import io.pollen.poll.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code pollen demo}: the chapter's task, run for real.
 *
 * <p>Without {@code --tasks} it runs the one task of the chapter and prints the chapter's trace:
 * "Waiting!" while the task is suspended, {@code EVENT: 10 is ready} when the reactor sees the
 * answer arrive, {@code RESUMING TASK: 10} when the executor resumes it, the response,
 * {@code EXITING} ({@link ChapterTrace}). With {@code --tasks N} it runs N such tasks at once on
 * one event-loop thread and prints a summary ({@link ManyTasks}).
 *
 * <p>Unless {@code --url} points elsewhere, it starts Pollen's demo server on a free loopback port
 * first (its own event loop, so the figures describe the client side's one thread). With many
 * tasks, when the tasks and the server's side of their connections need more file descriptors than
 * the process may open, the server runs in a child process instead ({@link ServerProcess}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the chapter's task (GET a slow endpoint, suspend, resume when ready) on Pollen.",
                "Without --tasks: one task, with the chapter's trace. With --tasks N: N tasks at once on "
                        + "ONE event-loop thread, a progress display and a summary."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tasks", paramLabel = "N",
            description = "Run N tasks at once on one event-loop thread and print a summary (1..1000000).")
    Integer tasks;

    @Option(names = "--delay", paramLabel = "MS", defaultValue = "1000",
            description = "How long the demo server waits before answering each request, in ms (default: ${DEFAULT-VALUE}).")
    long delayMillis;

    @Option(names = "--url", paramLabel = "URL",
            description = "Send the requests to this http:// or https:// URL instead of the embedded demo server.")
    String url;

    @Option(names = "--backend", paramLabel = "B",
            description = "Event-queue backend: epoll, kqueue, nio or io_uring (default: -Dpollen.backend, else the OS's best).")
    String backend;

    @Option(names = "--style", paramLabel = "S", defaultValue = "async",
            description = "Task style: async (CompletableFuture continuations on the loop) or virtual "
                    + "(one virtual thread per task, blocking-style calls). Default: ${DEFAULT-VALUE}.")
    String style;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "30000",
            description = "Give up on a request after this long beyond --delay, in ms (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "With --tasks: bar, lines, off, or auto (a bar on a terminal, lines otherwise).")
    String progress;

    @picocli.CommandLine.Mixin
    TlsClientOptions tls;

    /** The context of an https --url (null: the JDK's trust store), set by validate(). */
    private javax.net.ssl.SSLContext tlsContext;

    @Override
    public Integer call() throws Exception {
        validate();
        Backend b = backend == null ? Backend.select() : Backend.byName(backend);
        PrintWriter out = spec.commandLine().getOut();
        Duration timeout = Duration.ofMillis(Saturating.add(timeoutMillis, url == null ? delayMillis : 0));
        try (DemoServer server = url == null && childWhy == null ? DemoServer.start(b, 1, 0) : null;
             ServerProcess child = childWhy != null ? ServerProcess.start(b) : null) {
            String base = server != null ? server.url() : child != null ? child.url() : null;
            Target target = url != null ? Target.parse(url)
                    : Target.parse(base + "/delay/" + delayMillis + "/url/http://www.google.com");
            out.println(tasks == null
                    ? "pollen demo: the chapter's task as a Pollen task (" + b.id() + " backend, one event-loop thread)"
                    : "pollen demo: " + tasks + " tasks (" + style.toLowerCase(java.util.Locale.ROOT) + " style) at once on one "
                            + b.id() + " event-loop thread");
            out.println(server != null
                    ? "server: Pollen's demo server at " + server.url() + " (its own event loop; /delay answers from a timer)"
                    : child != null
                    ? "server: Pollen's demo server at " + child.url() + " in a child process (pid " + child.pid()
                            + "; " + childWhy + ")"
                    : "server: " + target.address().getAddress().getHostAddress() + ":" + target.address().getPort()
                            + " (--url)");
            out.println("request: GET " + target.path());
            out.flush();
            if (tasks == null) {
                return ChapterTrace.run(target, tlsContext, b, timeout, out) ? Pollen.OK : Pollen.FAILED;
            }
            ManyTasks.Style s = ManyTasks.Style.valueOf(style.toUpperCase(java.util.Locale.ROOT));
            Summary summary = new ManyTasks(target, tlsContext, b, s, tasks, timeout, Progress.Mode.parse(progress), out).run();
            out.println(summary.format());
            out.flush();
            return summary.successes() == summary.requests() ? Pollen.OK : Pollen.FAILED;
        }
    }

    /**
     * Where the embedded demo server runs: {@code auto} (the default) in this process when the tasks
     * and the server's side of their connections fit in its file-descriptor limit together, else in
     * a child process; {@code embedded} or {@code process} to choose.
     */
    static final String SERVER_PROPERTY = "pollen.demo.server";

    /** Why the demo server runs in a child process, else null (set by validate()). */
    private String childWhy;

    /**
     * Each task holds a socket, and so does the embedded server's side of it. When both do not fit
     * in this process's limit but the tasks alone do, the server goes to a child process (which has
     * a limit of its own); when not even the tasks fit, say so up front instead of letting the run
     * fail with resets.
     */
    private void placeServer(int n) {
        String where = System.getProperty(SERVER_PROPERTY, "auto");
        if (!where.equals("auto") && !where.equals("embedded") && !where.equals("process")) {
            throw usage("-D" + SERVER_PROPERTY + " must be auto, embedded or process: '" + where + "'");
        }
        long limit = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean os ? os.getMaxFileDescriptorCount() : Long.MAX_VALUE;
        long alone = n + 64L;
        long together = 2L * n + 64; // with the server in this process: a socket on each side per task
        if (alone > limit) {
            throw new NotHere(spec.commandLine(), "--tasks " + n + " needs about " + alone + " file descriptors (one per task)"
                    + (url == null ? " even with the demo server in another process" : "")
                    + " but this process may open " + limit + " (ulimit -n): raise the limit");
        }
        if (url == null && where.equals("embedded") && together > limit) {
            throw new NotHere(spec.commandLine(), "--tasks " + n + " needs about " + together + " file descriptors (one per task, one per"
                    + " server connection) but this process may open " + limit + " (ulimit -n): raise the limit, or"
                    + " leave -D" + SERVER_PROPERTY + " unset to run the demo server in a child process");
        }
        if (url == null && where.equals("process")) {
            childWhy = "-D" + SERVER_PROPERTY + "=process";
        } else if (url == null && where.equals("auto") && together > limit) {
            childWhy = "the tasks and the server's side of their connections need about " + together
                    + " file descriptors, more than one process may open here (" + limit + ", ulimit -n)";
        }
    }

    /** Bad values are usage errors (exit 2), reported before anything starts. */
    private void validate() {
        if (tasks != null && (tasks < 1 || tasks > 1_000_000)) {
            throw usage("--tasks must be between 1 and 1000000: " + tasks);
        }
        if (tasks != null) {
            placeServer(tasks);
        }
        if (delayMillis < 0 || delayMillis > 3_600_000) {
            throw usage("--delay must be between 0 and 3600000 ms: " + delayMillis);
        }
        if (timeoutMillis < 1) {
            throw usage("--timeout must be at least 1 ms: " + timeoutMillis);
        }
        if (!style.equalsIgnoreCase("async") && !style.equalsIgnoreCase("virtual")) {
            throw usage("--style must be async or virtual: '" + style + "'");
        }
        try {
            Progress.Mode.parse(progress);
            if (backend != null) {
                BackendOption.resolve(spec.commandLine(), backend);
            }
            if (url != null) {
                Target.parse(url);
            }
            tlsContext = tls.context();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
