package io.pollen.cli;

import io.pollen.poll.Backend;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pollen's demo server in a child JVM, for {@code pollen demo --tasks N} when N tasks and the
 * server's side of their connections do not fit in this process's file-descriptor limit together
 * (two descriptors per task in one process, one per task in each of two).
 *
 * <p>The child is this JVM's own {@code java} with its class path and its options (minus agents and
 * AOT-cache training, which must not run twice), running {@link #main}: it starts a
 * {@link DemoServer} on a free loopback port, prints {@code listening URL} and serves until its
 * standard input ends; what it writes to its standard error goes to a temporary file, quoted when it
 * fails to start and removed when it is closed. Closing this handle closes that input, so the child stops when the demo is
 * done, and also when the demo's process dies in any way (the kernel closes the pipe).
 */
final class ServerProcess implements AutoCloseable {
    /** How long the child may take to print its port: a JVM start, far from its usual half second. */
    private static final long START_SECONDS = 60;
    private static final String READY = "listening ";

    private final Process process;
    private final String url;
    private final Path err;

    private ServerProcess(Process process, String url, Path err) {
        this.process = process;
        this.url = url;
        this.err = err;
    }

    /** Starts the child on {@code backend} and waits for its port; fails with what the child said. */
    static ServerProcess start(Backend backend) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (inherited(arg)) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(), backend.id()));
        Path err = Files.createTempFile("pollen-demo-server", ".err");
        boolean started = false;
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> readyLine(out));
            String line;
            try {
                line = ready.get(START_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                line = null;
            }
            if (line == null) {
                p.destroyForcibly();
                waitQuietly(p, 5);
                String said = Files.readString(err).strip();
                throw new IOException("the demo server's process did not start"
                        + (p.isAlive() ? "" : " (exit " + p.exitValue() + ")")
                        + (said.isEmpty() ? "" : ": " + said));
            }
            started = true;
            // What the child writes later (a -Xlog option it inherited, say) is read and dropped, so
            // that a full pipe never blocks it.
            Thread.ofPlatform().daemon().name("pollen-demo-server-output").start(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    // The child is gone; nothing more to read.
                }
            });
            return new ServerProcess(p, line.substring(READY.length()).strip(), err);
        } finally {
            if (!started) {
                Files.deleteIfExists(err);
            }
        }
    }

    /** Options of this JVM the child gets: not agents or debuggers, not AOT-cache training. */
    static boolean inherited(String arg) {
        return !(arg.startsWith("-agentlib") || arg.startsWith("-agentpath") || arg.startsWith("-javaagent")
                || arg.startsWith("-Xrunjdwp") || arg.startsWith("-XX:AOTCacheOutput")
                || arg.startsWith("-XX:AOTMode") || arg.startsWith("-XX:AOTConfiguration"));
    }

    /** The child's {@code listening URL} line, skipping any other (JVM logging); null at its end. */
    private static String readyLine(BufferedReader out) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(READY)) {
                    return line;
                }
            }
        } catch (IOException e) {
            // The pipe broke: the child is gone, which the caller finds out.
        }
        return null;
    }

    private static void waitQuietly(Process p, long seconds) {
        try {
            p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server's base URL, {@code http://127.0.0.1:PORT}. */
    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    /** Ends the child's input, which stops it; kills it if it has not exited within 10 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The pipe is gone already: the child is exiting or has exited.
        }
        waitQuietly(process, 10);
        if (process.isAlive()) {
            process.destroyForcibly();
            waitQuietly(process, 5);
        }
        try {
            Files.deleteIfExists(err);
        } catch (IOException e) {
            // A temporary file left behind is not worth failing the demo over.
        }
    }

    /** The child: {@code ServerProcess BACKEND}. Exits 0 when its input ends, 1 if it cannot serve. */
    public static void main(String[] args) {
        try (DemoServer server = DemoServer.start(Backend.byName(args[0]), 1, 0)) {
            System.out.println(READY + server.url());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Nothing is sent; the parent only closes the pipe.
            }
        } catch (Throwable e) { // whatever stops it from serving, said in one line for the parent to quote
            Throwable why = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
            System.err.println(why.getMessage() != null ? why.getMessage() : why.toString());
            System.exit(1);
        }
        System.exit(0);
    }
}
