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
        description = {"Run Pollen's demo HTTP server until interrupted (Ctrl-C); HTTPS with --tls-cert/--tls-key.",
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
            description = "Event-queue backend: epoll or nio (default: -Dpollen.backend, else the OS's best).")
    String backend;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS with this certificate chain (PEM, the server's certificate first); needs --tls-key.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert (PEM, unencrypted PKCS#8: 'BEGIN PRIVATE KEY', RSA or EC).")
    java.nio.file.Path tlsKey;

    @Option(names = "--tls-port", paramLabel = "P",
            description = "With --tls-cert: HTTPS on this port and plain HTTP on --port, side by side "
                    + "(default: HTTPS only, on --port).")
    Integer tlsPort;

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
                throw usage("backend '" + backend + "' is not available on " + System.getProperty("os.name"));
            }
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw usage("--host: unknown host '" + host + "'");
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }

        javax.net.ssl.SSLContext tls = tlsContext();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        DemoServer server = DemoServer.start(b, loops, new InetSocketAddress(address, port), tls,
                tlsPort == null ? -1 : tlsPort);
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
            if (server.tlsUrl() != null) {
                out.println("pollen serve: and HTTPS on " + server.tlsUrl());
            }
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

    /** The server context of --tls-cert/--tls-key, null without them; usage errors say what is wrong. */
    private javax.net.ssl.SSLContext tlsContext() {
        if (tlsCert == null && tlsKey == null) {
            if (tlsPort != null) {
                throw usage("--tls-port needs --tls-cert and --tls-key");
            }
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw usage("--tls-cert and --tls-key go together");
        }
        if (tlsPort != null && (tlsPort < 0 || tlsPort > 65535)) {
            throw usage("--tls-port must be between 0 and 65535: " + tlsPort);
        }
        try {
            return io.pollen.tls.TlsContexts.server(tlsCert, tlsKey);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw usage("cannot load --tls-cert/--tls-key: " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
