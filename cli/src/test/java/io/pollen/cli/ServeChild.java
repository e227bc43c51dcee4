package io.pollen.cli;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pollen serve --port 0 args...} in a JVM of its own ({@link Cli#pollenChild}), started
 * when it prints its "listening on" line. {@link #process()} is the JVM itself, so
 * {@code destroy()} is a SIGTERM to the server.
 */
record ServeChild(Process process, Path out, Path err, int port) implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    static ServeChild start(String... args) throws Exception {
        return start(List.of(), args);
    }

    /**
     * @param wrapper a command that runs the JVM by exec'ing the rest of its arguments (a seccomp
     *                filter, say), or empty
     */
    static ServeChild start(List<String> wrapper, String... args) throws Exception {
        List<String> serveArgs = new ArrayList<>(List.of("serve", "--port", "0"));
        serveArgs.addAll(List.of(args));
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(Cli.pollenChild(List.of(), serveArgs));
        Path out = Files.createTempFile("serve", ".out");
        Path err = Files.createTempFile("serve", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(out));
            if (m.find()) {
                return new ServeChild(p, out, err, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        ServeChild failed = new ServeChild(p, out, err, -1);
        String what = failed.toString();
        failed.close();
        throw new AssertionError("serve did not start: " + what);
    }

    Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    int exitCode() throws InterruptedException {
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "serve exited");
        return process.exitValue();
    }

    String stdout() throws IOException {
        return Files.readString(out);
    }

    @Override
    public String toString() {
        try {
            return "\n--- serve stdout\n" + Files.readString(out) + "--- serve stderr\n" + Files.readString(err);
        } catch (IOException e) {
            return " (output unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
