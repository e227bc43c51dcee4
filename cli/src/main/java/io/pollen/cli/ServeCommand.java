package io.pollen.cli;

import io.pollen.poll.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import io.pollen.runtime.LoopStats;
import io.pollen.tls.ClientAuth;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
                "HTTPS with --tls-cert and --tls-key (PEM); --tls-port serves plain HTTP and HTTPS side by side;"
                        + " --tls-client-ca requires client certificates (mutual TLS).",
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

    @Option(names = "--unix", paramLabel = "PATH",
            description = {"Listen on a Unix domain socket file instead of TCP (curl --unix-socket PATH http://localhost/...).",
                    "The file must not exist; it is removed when the server stops."})
    Path unix;

    @Option(names = "--loops", paramLabel = "N", defaultValue = "1",
            description = "Event-loop threads, one listener each (default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long a stop by SIGTERM/SIGINT lets requests in flight finish, e.g. 10s, 500ms, 2m"
                    + " (default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Option(names = "--backend", paramLabel = "B",
            description = "Event-queue backend: epoll, kqueue, nio or io_uring (default: -Dpollen.backend, else the OS's best).")
    String backend;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS with this certificate chain (PEM, the server's certificate first); needs --tls-key.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert (PEM: PKCS#8 'BEGIN PRIVATE KEY', PKCS#1 'BEGIN RSA PRIVATE KEY', "
                    + "SEC1 'BEGIN EC PRIVATE KEY', or 'BEGIN ENCRYPTED PRIVATE KEY' with --key-pass; RSA, EC or EdDSA).")
    java.nio.file.Path tlsKey;

    @Option(names = "--key-pass", paramLabel = "PASSWORD",
            description = "Password of an encrypted --tls-key; env:VAR and file:PATH read it from there instead.")
    String keyPass;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Require client certificates (mutual TLS) issued by the CA certificate(s) of this PEM file; "
                    + "clients without one fail the handshake.")
    java.nio.file.Path tlsClientCa;

    @Option(names = "--tls-port", paramLabel = "P",
            description = "With --tls-cert: HTTPS on this port and plain HTTP on --port, side by side "
                    + "(default: HTTPS only, on --port).")
    Integer tlsPort;

    @Option(names = "--stats", paramLabel = "SECONDS", defaultValue = "0",
            description = "Print each event loop's statistics every SECONDS (default: ${DEFAULT-VALUE}, never).")
    int statsSeconds;
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
        if (statsSeconds < 0 || statsSeconds > 86_400) {
            throw usage("--stats must be between 0 and 86400 seconds: " + statsSeconds);
        }
        if (maxConnections < 1) {
            throw usage("--max-connections must be at least 1: " + maxConnections);
        }
        Duration drain = parseDuration(drainTimeout);
        Backend b;
        InetAddress address;
        try {
            b = BackendOption.resolve(spec.commandLine(), backend);
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw usage("--host: unknown host '" + host + "'");
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }

        javax.net.ssl.SSLContext tls = tlsContext();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        DemoServer server;
        try {
            server = unix != null ? DemoServer.startUnix(b, loops, unix, maxConnections)
                    : DemoServer.start(b, loops, new InetSocketAddress(address, port), maxConnections, tls,
                            tlsClientCa == null ? ClientAuth.NONE : ClientAuth.REQUIRE, tlsPort == null ? -1 : tlsPort);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw usage("--unix: " + e.getMessage());   // a path too long for sun_path, an abstract name on nio
        }
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
            out.println("pollen serve: listening on " + server.where() + " (" + b.id() + " backend, "
                    + server.loops() + " event-loop thread" + (server.loops() == 1 ? "" : "s") + ")");
            String curl = unix == null ? "" : "curl --unix-socket " + unix + " ";
            out.println("  " + curl + server.url() + "/plaintext   " + server.url() + "/delay/1000/hello   "
                    + server.url() + "/echo");
            if (server.tlsUrl() != null) {
                out.println("pollen serve: and HTTPS on " + server.tlsUrl());
            }
            out.println("Ctrl-C to stop.");
            out.flush();
            while (!stopped.await(statsSeconds == 0 ? Long.MAX_VALUE : statsSeconds, TimeUnit.SECONDS)) {
                for (LoopStats s : server.stats()) {
                    out.println("stats " + s);
                }
                out.flush();
            }
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

    /** The server context of --tls-cert/--tls-key, null without them; usage errors say what is wrong. */
    private javax.net.ssl.SSLContext tlsContext() {
        if (tlsCert == null && tlsKey == null) {
            for (String[] o : new String[][]{{"--tls-port", tlsPort == null ? null : ""},
                    {"--tls-client-ca", tlsClientCa == null ? null : ""}, {"--key-pass", keyPass}}) {
                if (o[1] != null) {
                    throw usage(o[0] + " needs --tls-cert and --tls-key");
                }
            }
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw usage("--tls-cert and --tls-key go together");
        }
        if (tlsPort != null && (tlsPort < 0 || tlsPort > 65535)) {
            throw usage("--tls-port must be between 0 and 65535: " + tlsPort);
        }
        io.pollen.tls.TlsIdentity identity;
        try {
            identity = io.pollen.tls.TlsIdentity.load(tlsCert, tlsKey, TlsClientOptions.password(keyPass, "--key-pass"));
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw usage("cannot load --tls-cert/--tls-key: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        try {
            return io.pollen.tls.TlsContexts.server(identity, tlsClientCa);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw usage("cannot load --tls-client-ca: " + e.getMessage());
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
