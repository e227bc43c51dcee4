package io.pollen.bench.scale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The scale run's server ({@link DemoServerMain}) as a child process: started, asked where it
 * listens and when requests arrived, and stopped on {@link #close}. A daemon thread keeps reading
 * the child's output, so the child can never block on a full pipe.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final List<Integer> ports;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    private ServerProcess(Process process, List<Integer> ports) {
        this.process = process;
        this.ports = ports;
        this.commands = process.outputWriter(StandardCharsets.UTF_8);
    }

    /**
     * Starts a demo server with {@code loops} event loops, listening on {@code listeners} free
     * ports of 127.0.0.1.
     */
    static ServerProcess start(List<String> jvmArgs, String loops, int listeners) throws IOException {
        Process p = ScaleRun.java(jvmArgs, DemoServerMain.class.getName(), "127.0.0.1", "0", loops,
                String.valueOf(listeners)).start();
        try {
            BufferedReader out = p.inputReader(StandardCharsets.UTF_8);
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("LISTENING ")) {
                    List<Integer> ports = Arrays.stream(line.substring(10).trim().split(" "))
                            .map(Integer::valueOf).toList();
                    ServerProcess server = new ServerProcess(p, ports);
                    Thread.ofPlatform().daemon().name("demo-server-output").start(() -> server.drain(out));
                    return server;
                }
                System.err.println("[server] " + line);
            }
            throw new IOException("the demo server exited before listening");
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** The ports it listens on, one per listener, in the order asked for. */
    List<Integer> ports() {
        return ports;
    }

    /**
     * The {@code /delay} requests that arrived since the last call: {@code count}, {@code first_ns}
     * and {@code last_ns} ({@link System#nanoTime} of the server, CLOCK_MONOTONIC on Linux).
     */
    Map<String, String> arrivals() throws IOException, InterruptedException {
        commands.write("ARRIVALS\n");
        commands.flush();
        String reply = replies.poll(30, TimeUnit.SECONDS);
        if (reply == null) {
            throw new IOException("the demo server did not report its arrivals within 30 s");
        }
        return ScaleRun.parseFields(reply.substring("ARRIVALS ".length()));
    }

    private void drain(BufferedReader out) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("ARRIVALS ")) {
                    replies.add(line);
                }
            }
        } catch (IOException ignored) {
            // the server is gone
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
