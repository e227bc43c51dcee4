package io.pollen.cli;

import io.pollen.poll.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pollen serve}: runs the demo server ({@code /delay/{ms}/...}, {@code /plaintext},
 * {@code /echo}) until interrupted, and prints the URL it listens on.
 *
 * <p><b>SIGTERM and SIGINT (Ctrl-C) drain the server</b>, then the command exits 0: the listener
 * closes (new connections are refused), idle connections close, requests in flight are answered
 * with {@code Connection: close}, and what still runs after {@code --drain-timeout} (default 10 s)
 * is closed; then the loops are joined. A second signal during the drain closes everything at
 * once. The signals are taken with {@code sun.misc.Signal} (module jdk.unsupported) rather than a
 * shutdown hook, because a JVM that runs its hooks on a signal exits with 128 + the signal number
 * whatever the hooks do, while a supervisor (systemd, Kubernetes) should see a clean stop as 0.
 * Where those signals cannot be handled, a shutdown hook closes the server at exit instead. The
 * previous handlers are restored when the command returns (it may run inside a test's JVM).
 *
 * <p>Interrupting the thread that runs the command closes the server at once (how in-process
 * tests stop it); the exit code is then 130. If an event loop dies
 * ({@link io.pollen.runtime.Runtime#isFailed()}), the command stops the server and exits
 * {@value Pollen#FAILED}: a process that no longer serves must not look alive to its supervisor.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run Pollen's demo HTTP server until stopped by SIGTERM or Ctrl-C (SIGINT).",
                "Routes: GET /delay/{ms}/{anything} (answers after ms, from a timer), GET /plaintext, /echo.",
                "On SIGTERM or SIGINT it drains: stops accepting, answers the requests in flight (Connection: close),"
                        + " closes idle connections, closes what is left after --drain-timeout, then exits 0."
                        + " A second signal stops at once.",
                "Exits 1 if an event loop dies (so that a supervisor restarts it)."})
final class ServeCommand implements Callable<Integer> {
    /** Exit code when stopped by an interrupt, as a shell reports SIGINT. */
    static final int INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--port"}, paramLabel = "P", defaultValue = "8080",
            description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--loops", paramLabel = "N", defaultValue = "1",
            description = "Event-loop threads, one listener each (default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long a stop by SIGTERM/SIGINT lets requests in flight finish, e.g. 10s, 500ms, 2m"
                    + " (default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Option(names = "--backend", paramLabel = "B",
            description = "Event-queue backend: epoll, nio or io_uring (default: -Dpollen.backend, else the OS's best).")
    String backend;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
            description = {"Open connections kept at most; beyond, new ones get 503 and are closed"
                    + " (default: ${DEFAULT-VALUE}).",
                    "Out of file descriptors before that (ulimit -n), the server pauses accepting and answers"
                    + " queued clients 503 instead of hanging them."})
    int maxConnections;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw usage("--port must be between 0 and 65535: " + port);
        }
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        if (loops < 1 || loops > Math.max(64, 4 * cores)) {
            throw usage("--loops must be between 1 and " + Math.max(64, 4 * cores) + ": " + loops);
        }
        if (maxConnections < 1) {
            throw usage("--max-connections must be at least 1: " + maxConnections);
        }
        Duration drain = parseDuration(drainTimeout);
        Backend b;
        InetAddress address;
        try {
            b = backend == null ? Backend.select() : Backend.byName(backend);
            if (!b.isAvailable()) {
                throw usage("backend '" + backend + "' is not available on " + System.getProperty("os.name") + ": " + b.unavailableReason());
            }
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw usage("--host: unknown host '" + host + "'");
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }

        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        DemoServer server = DemoServer.start(b, loops, new InetSocketAddress(address, port), maxConnections);
        // A dead event loop is fatal: stop and exit non-zero, so that a supervisor restarts us.
        java.util.concurrent.atomic.AtomicReference<Throwable> died = new java.util.concurrent.atomic.AtomicReference<>();
        server.failure().thenAccept(t -> {
            died.set(t);
            stopped.countDown();
        });
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pollen-serve-shutdown");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);
        StopSignals signals = StopSignals.install(stopped, server::forceClose);
        try {
            out.println("pollen serve: listening on " + server.url() + " (" + b.id() + " backend, "
                    + server.loops() + " event-loop thread" + (server.loops() == 1 ? "" : "s") + ")");
            out.println("  " + server.url() + "/plaintext   " + server.url() + "/delay/1000/hello   "
                    + server.url() + "/echo");
            out.println("Ctrl-C to stop.");
            out.flush();
            stopped.await();
            Throwable t = died.get();
            if (t != null) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("pollen serve: an event loop died, stopping: " + t);
                err.flush();
                return Pollen.FAILED;
            }
            String signal = signals.received();
            if (signal != null) {
                out.println("pollen serve: SIG" + signal + ": draining (up to " + drainTimeout + ")");
                out.flush();
                boolean graceful = server.drain(drain);
                out.println("pollen serve: " + (graceful ? "every request in flight was answered"
                        : "requests still running at the deadline were closed"));
            }
            return Pollen.OK;
        } catch (InterruptedException e) {
            return INTERRUPTED;
        } finally {
            signals.restore();
            try {
                java.lang.Runtime.getRuntime().removeShutdownHook(hook);
                server.close();
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting: the hook closes the server.
            }
            out.println("pollen serve: stopped");
            out.flush();
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    /** {@code 500ms}, {@code 10s}, {@code 2m}; a unit is required (a bare 10 is ambiguous). */
    private Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw usage("--drain-timeout: not a duration (e.g. 10s, 500ms, 2m): '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
