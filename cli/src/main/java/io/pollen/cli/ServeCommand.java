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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code pollen serve}: runs the demo server ({@code /delay/{ms}/...}, {@code /plaintext},
 * {@code /echo}) until interrupted, and prints the URL it listens on.
 *
 * <p>Ctrl-C (SIGINT) or SIGTERM stops it cleanly: a shutdown hook closes the server (open
 * connections included) and its runtime, joining the loop threads. Interrupting the thread that
 * runs the command does the same (how the tests stop it); the exit code is then 130.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run Pollen's demo HTTP server until interrupted (Ctrl-C).",
                "Routes: GET /delay/{ms}/{anything} (answers after ms, from a timer), GET /plaintext, /echo."})
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

    @Option(names = "--backend", paramLabel = "B",
            description = "Event-queue backend: epoll, nio or io_uring (default: -Dpollen.backend, else the OS's best).")
    String backend;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw usage("--port must be between 0 and 65535: " + port);
        }
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        if (loops < 1 || loops > Math.max(64, 4 * cores)) {
            throw usage("--loops must be between 1 and " + Math.max(64, 4 * cores) + ": " + loops);
        }
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
        DemoServer server = DemoServer.start(b, loops, new InetSocketAddress(address, port));
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pollen-serve-shutdown");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.println("pollen serve: listening on " + server.url() + " (" + b.id() + " backend, "
                    + server.loops() + " event-loop thread" + (server.loops() == 1 ? "" : "s") + ")");
            out.println("  " + server.url() + "/plaintext   " + server.url() + "/delay/1000/hello   "
                    + server.url() + "/echo");
            out.println("Ctrl-C to stop.");
            out.flush();
            stopped.await();
            return Pollen.OK;
        } catch (InterruptedException e) {
            return INTERRUPTED;
        } finally {
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

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
