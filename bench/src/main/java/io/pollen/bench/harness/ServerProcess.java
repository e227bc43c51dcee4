package io.pollen.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running competitor server: started (optionally under {@code taskset}), awaited until it
 * prints {@code READY} and accepts on both ports, measured through /proc, stopped.
 *
 * <p>{@code taskset} execs the server, so the process id we hold is the server's own and
 * /proc/PID readings are the server's. Standard error goes to a log file per server.
 */
final class ServerProcess implements AutoCloseable {

    /** Thrown when a server reports its transport cannot run on this machine. */
    static final class UnavailableException extends IOException {
        UnavailableException(String why) {
            super(why);
        }
    }

    final int httpPort;
    final int echoPort;
    private final Process process;
    private final CompletableFuture<String> firstLine = new CompletableFuture<>();

    private ServerProcess(Process process, int httpPort, int echoPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.echoPort = echoPort;
        Thread.ofPlatform().daemon().name("server-stdout-" + process.pid()).start(this::pumpStdout);
    }

    /**
     * Starts a server and waits until it is ready.
     *
     * @param cpus taskset cpu list, or null to run unpinned
     */
    static ServerProcess start(ServerCatalog.Spec spec, Bench.Env env, int loops, String cpus, Path log)
            throws IOException, InterruptedException {
        int[] ports = freePorts(2);
        int http = ports[0];
        int echo = ports[1];
        List<String> cmd = new ArrayList<>();
        if (cpus != null) cmd.addAll(List.of("taskset", "-c", cpus));
        cmd.addAll(spec.command(env.java(), env.classpath(), env.nativeDir(), http, echo, loops));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServerProcess s = new ServerProcess(p, http, echo);
        try {
            s.awaitReady(spec.name(), spec.echoOnly());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void pumpStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("READY") || line.startsWith("UNAVAILABLE")) firstLine.complete(line);
            }
        } catch (IOException ignored) {
            // the process ended
        }
        firstLine.complete("EXITED");
    }

    private void awaitReady(String name, boolean echoOnly) throws IOException, InterruptedException {
        String line;
        try {
            line = firstLine.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException(name + " did not print READY within 60 s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (line.startsWith("UNAVAILABLE")) throw new UnavailableException(line.substring("UNAVAILABLE".length()).trim());
        if (!line.startsWith("READY")) {
            process.waitFor(5, TimeUnit.SECONDS);
            throw new IOException(name + " exited before READY (status " + (process.isAlive() ? "?" : process.exitValue())
                    + "); see its log");
        }
        // READY means bound; also make sure its ports (both, or the echo port of an echo-only server) really accept.
        for (int port : echoOnly ? new int[] {echoPort} : new int[] {httpPort, echoPort}) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) throw new IOException(name + " does not accept on port " + port, e);
                    Thread.sleep(50);
                }
            }
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long rssKib() {
        return ProcStat.rssKib(process.pid());
    }

    long cpuNanos() {
        return ProcStat.cpuNanos(process.pid());
    }

    /** SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code n} ports that were free a moment ago (the caller's server binds them right after),
     * distinct: all the sockets are open at once while the kernel picks. Picked one after the
     * other, the kernel may hand out the same port twice; a server whose listeners set
     * SO_REUSEPORT (the C one) then binds HTTP and echo to that one port, and the kernel spreads
     * connections between them (a full run failed so: the validator's GET came back echoed).
     */
    static int[] freePorts(int n) throws IOException {
        java.net.InetAddress lo = java.net.InetAddress.getLoopbackAddress();
        ServerSocket[] open = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                open[i] = new ServerSocket(0, 1, lo);
                ports[i] = open[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                if (s != null) s.close();
            }
        }
    }
}
