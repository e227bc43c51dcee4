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
 * first (its own event loop, so the figures describe the client side's one thread).
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
            description = "Event-queue backend: epoll, nio or io_uring (default: -Dpollen.backend, else the OS's best).")
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
        try (DemoServer server = url == null ? DemoServer.start(b, 1, 0) : null) {
            Target target = url != null ? Target.parse(url)
                    : Target.parse(server.url() + "/delay/" + delayMillis + "/url/http://www.google.com");
            out.println(tasks == null
                    ? "pollen demo: the chapter's task as a Pollen task (" + b.id() + " backend, one event-loop thread)"
                    : "pollen demo: " + tasks + " tasks (" + style.toLowerCase(java.util.Locale.ROOT) + " style) at once on one "
                            + b.id() + " event-loop thread");
            out.println(server != null
                    ? "server: Pollen's demo server at " + server.url() + " (its own event loop; /delay answers from a timer)"
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
     * Each task holds a socket, and so does the embedded server's side of it: when the process may
     * not open that many, say so up front instead of letting the run fail with resets.
     */
    private void checkFileDescriptors(int n) {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            long needed = (long) n * (url == null ? 2 : 1) + 64;
            if (needed > limit) {
                throw usage("--tasks " + n + " needs about " + needed + " file descriptors"
                        + (url == null ? " (one per task, one per server connection)" : "")
                        + " but this process may open " + limit + " (ulimit -n): raise the limit"
                        + (url == null ? ", or run `pollen serve` in another process and pass --url" : ""));
            }
        }
    }

    /** Bad values are usage errors (exit 2), reported before anything starts. */
    private void validate() {
        if (tasks != null && (tasks < 1 || tasks > 1_000_000)) {
            throw usage("--tasks must be between 1 and 1000000: " + tasks);
        }
        if (tasks != null) {
            checkFileDescriptors(tasks);
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
                Backend b = Backend.byName(backend);
                if (!b.isAvailable()) {
                    throw usage("backend '" + backend + "' is not available on " + System.getProperty("os.name") + ": " + b.unavailableReason());
                }
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
