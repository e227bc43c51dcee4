package io.pollen.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The socket-file half of a Unix socket test class's leak check: every listener and bound datagram
 * socket removes its file when closed, so the class's {@code @TempDir} must end up empty.
 *
 * <pre>{@code
 * @TempDir static Path dir;
 * @AfterAll static void after() { fds.assertNoLeak(); SocketFiles.assertNone(dir); }
 * }</pre>
 */
public final class SocketFiles {
    private SocketFiles() {
    }

    /** Fails, listing them, if any file is left under {@code dir}. */
    public static void assertNone(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> left = files.filter(p -> !p.equals(dir)).toList();
            assertEquals(List.of(), left, "files left in " + dir + " (a socket was not closed, or close did not remove its file)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh socket path under {@code dir}: {@code name-N.sock}. */
    public static Path fresh(Path dir, String name) {
        return dir.resolve(name + "-" + COUNTER.incrementAndGet() + ".sock");
    }

    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();
}
