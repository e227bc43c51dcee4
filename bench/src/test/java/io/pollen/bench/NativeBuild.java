package io.pollen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Compiles the benchmark's C programs ({@code bench/native}) for the tests that run them. */
public final class NativeBuild {

    private NativeBuild() {}

    /**
     * Compiles {@code bench/native/{name}.c} into {@code dir} as the bench scripts do, warnings as
     * errors, and returns the binary. Aborts the calling test (skipped, with the reason) where gcc
     * is not installed; fails it with gcc's words where the program does not compile.
     */
    public static Path gcc(Path dir, String name, String... flags) throws IOException, InterruptedException {
        Path source = Path.of("native", name + ".c"); // tests run in the bench module's directory
        if (!Files.exists(source)) source = Path.of("bench", "native", name + ".c");
        return gcc(dir, source, flags);
    }

    /** Compiles {@code source} (a path from the bench module, or from the repository root) the same way. */
    public static Path gcc(Path dir, Path source, String... flags) throws IOException, InterruptedException {
        assertTrue(Files.exists(source), source + " not found from " + Path.of("").toAbsolutePath());
        String file = source.getFileName().toString();
        Path binary = dir.resolve(file.substring(0, file.length() - ".c".length()));
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Wextra", "-Werror"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", binary.toString(), source.toAbsolutePath().toString()));
        Process gcc;
        try {
            gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("gcc is not installed: " + e.getMessage());
            throw e; // not reached: abort throws
        }
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), "gcc " + file + ": " + out);
        return binary;
    }
}
