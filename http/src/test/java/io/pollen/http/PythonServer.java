package io.pollen.http;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** python3 running test resource pyserver.py in a temp dir, on a free port; killed by close(). */
final class PythonServer implements AutoCloseable {
    final Process process;
    final int port;
    final Path dir;

    PythonServer(Path dir, String bind) throws IOException {
        this(dir, bind, null, null);
    }

    /** Serves HTTPS with {@code cert} (PEM chain) and {@code key} when they are not null. */
    PythonServer(Path dir, String bind, Path cert, Path key) throws IOException {
        Assumptions.assumeTrue(hasCommand("python3"), "python3 not installed");
        this.dir = dir;
        Path script = dir.resolve("pyserver.py");
        if (!Files.exists(script)) {
            try (InputStream in = PythonServer.class.getResourceAsStream("/pyserver.py")) {
                Files.copy(in, script);
            }
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("python3", script.toString(), bind));
        if (cert != null) {
            cmd.addAll(java.util.List.of(cert.toString(), key.toString()));
        }
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // bounded: python either prints READY or dies
        if (line == null || !line.startsWith("READY ")) {
            process.destroyForcibly();
            throw new IOException("python3 http.server did not start: " + line);
        }
        port = Integer.parseInt(line.substring(6).trim());
        // Failed TLS handshakes make python print tracebacks: drain them so the pipe never fills.
        Thread.ofPlatform().daemon().name("pyserver-output").start(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    static boolean hasCommand(String cmd) {
        try {
            Process p = new ProcessBuilder(cmd, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try {
            process.getInputStream().close();
            process.getOutputStream().close();
            process.getErrorStream().close();
        } catch (IOException ignored) {
            // pipes of a dead process
        }
    }
}
