package io.pollen.sys.bsd;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code struct kevent} and the kqueue constants, per ABI profile: every offset as the headers
 * declare it (Apple's and FreeBSD's {@code sys/event.h}, libkqueue's {@code include/sys/event.h}),
 * and, where a header and a C compiler are at hand, checked against the header itself by a tiny
 * C program compiled at test time (skipped with the reason otherwise).
 */
class KqueueLayoutTest {
    private static void assertCommonOffsets(KqueueAbi abi) {
        assertEquals(0, abi.offset("ident"), abi + " ident");
        assertEquals(8, abi.offset("filter"), abi + " filter");
        assertEquals(10, abi.offset("flags"), abi + " flags");
        assertEquals(12, abi.offset("fflags"), abi + " fflags");
        assertEquals(16, abi.offset("data"), abi + " data");
        assertEquals(24, abi.offset("udata"), abi + " udata");
    }

    @Test
    void macosKeventIs32BytesAndEvfiltUserIsMinus10() {
        assertCommonOffsets(KqueueAbi.MACOS);
        assertEquals(32, KqueueAbi.MACOS.size);
        assertEquals(-10, KqueueAbi.MACOS.evfiltUser);
    }

    @Test
    void freebsdKeventHasFourExtensionWordsAndEvfiltUserIsMinus11() {
        assertCommonOffsets(KqueueAbi.FREEBSD);
        assertEquals(32, KqueueAbi.FREEBSD.offset("ext"));
        assertEquals(64, KqueueAbi.FREEBSD.size);
        assertEquals(-11, KqueueAbi.FREEBSD.evfiltUser);
    }

    @Test
    void libkqueueKeventIs32BytesAndEvfiltUserIsMinus11() {
        assertCommonOffsets(KqueueAbi.LIBKQUEUE);
        assertEquals(32, KqueueAbi.LIBKQUEUE.size);
        assertEquals(-11, KqueueAbi.LIBKQUEUE.evfiltUser);
    }

    @Test
    void sharedConstantsAreTheHeadersValues() {
        assertEquals(-1, KQueue.EVFILT_READ);
        assertEquals(-2, KQueue.EVFILT_WRITE);
        assertEquals(0x0001, KQueue.EV_ADD);
        assertEquals(0x0002, KQueue.EV_DELETE);
        assertEquals(0x0020, KQueue.EV_CLEAR);
        assertEquals(0x0040, KQueue.EV_RECEIPT);
        assertEquals(0x4000, KQueue.EV_ERROR);
        assertEquals(0x8000, KQueue.EV_EOF);
        assertEquals(0x01000000, KQueue.NOTE_TRIGGER);
    }

    @Test
    void profileIsChosenInOnePlace() {
        assertEquals(KqueueAbi.MACOS, KqueueAbi.select(null, "Mac OS X"));
        assertEquals(KqueueAbi.FREEBSD, KqueueAbi.select("", "FreeBSD"));
        assertEquals(KqueueAbi.LIBKQUEUE, KqueueAbi.select(null, "Linux"));
        assertNull(KqueueAbi.select(null, "Windows 11"));
        assertEquals(KqueueAbi.FREEBSD, KqueueAbi.select("FreeBSD", "Linux"), "the property wins");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KqueueAbi.select("openbsd", "Linux"));
        assertEquals("unknown kqueue ABI 'openbsd': expected macos, freebsd or libkqueue", e.getMessage());
    }

    /**
     * The profile in use against the C header it stands for: libkqueue's (in {@code include/} next
     * to the library, or {@code -Dpollen.kqueue.include=DIR}) or the system's on macOS/FreeBSD.
     */
    @Test
    void profileInUseMatchesTheRealHeader() throws Exception {
        assumeTrue(KQueue.AVAILABLE, () -> "kqueue: skipped — " + KQueue.unavailableReason().orElse(""));
        List<String> command = new ArrayList<>();
        String compiler = findCompiler();
        assumeTrue(compiler != null, "no C compiler (cc, gcc) on the PATH to compile the header check");
        command.add(compiler);
        String include = includeDir();
        if (include != null) {
            assumeTrue(Files.isRegularFile(Path.of(include, "sys", "event.h")),
                    "no sys/event.h under " + include + " (set -Dpollen.kqueue.include=DIR)");
            command.add("-I" + include);
        } else {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            assumeTrue(os.contains("mac") || os.contains("freebsd"),
                    "no kqueue header to check against: set -Dpollen.kqueue.include=DIR (libkqueue's include/)");
        }
        Path dir = Files.createTempDirectory("pollen-kevent");
        try {
            Path source = dir.resolve("kevent.c");
            Path binary = dir.resolve("kevent");
            Files.writeString(source, PROGRAM, StandardCharsets.US_ASCII);
            command.addAll(List.of("-o", binary.toString(), source.toString()));
            assertEquals(0, run(command).exitCode, () -> "compiling the header check failed: " + command);
            Result r = run(List.of(binary.toString()));
            assertEquals(0, r.exitCode);
            KqueueAbi abi = KQueue.ABI;
            String expected = abi.size + " " + abi.offset("ident") + " " + abi.offset("filter") + " "
                    + abi.offset("flags") + " " + abi.offset("fflags") + " " + abi.offset("data") + " "
                    + abi.offset("udata") + " " + abi.evfiltUser + " " + KQueue.EVFILT_READ + " " + KQueue.EVFILT_WRITE
                    + " " + KQueue.EV_ADD + " " + KQueue.EV_DELETE + " " + KQueue.EV_CLEAR + " " + KQueue.EV_RECEIPT
                    + " " + KQueue.EV_ERROR + " " + KQueue.EV_EOF + " " + KQueue.NOTE_TRIGGER;
            assertEquals(expected, r.output.strip(), "sizeof, offsetof and constants of " + abi.id() + "'s header");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static final String PROGRAM = """
            #include <stddef.h>
            #include <stdint.h>
            #include <stdio.h>
            #include <sys/types.h>
            #include <sys/event.h>
            int main(void) {
                printf("%zu %zu %zu %zu %zu %zu %zu %d %d %d %d %d %d %d %d %d %d\\n",
                    sizeof(struct kevent), offsetof(struct kevent, ident), offsetof(struct kevent, filter),
                    offsetof(struct kevent, flags), offsetof(struct kevent, fflags), offsetof(struct kevent, data),
                    offsetof(struct kevent, udata), (int) EVFILT_USER, (int) EVFILT_READ, (int) EVFILT_WRITE,
                    (int) EV_ADD, (int) EV_DELETE, (int) EV_CLEAR, (int) EV_RECEIPT, (int) EV_ERROR, (int) EV_EOF,
                    (int) NOTE_TRIGGER);
                return 0;
            }
            """;

    /** {@code -Dpollen.kqueue.include}, else {@code include/} beside the library, else null (system headers). */
    private static String includeDir() {
        String dir = System.getProperty("pollen.kqueue.include");
        if (dir != null && !dir.isBlank()) {
            return dir;
        }
        String library = KQueue.library();
        if (library == null) {
            return null;
        }
        Path parent = Path.of(library).toAbsolutePath().getParent();
        return parent == null ? null : parent.resolve("include").toString();
    }

    private static String findCompiler() {
        for (String name : new String[] {"cc", "gcc", "clang"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                    return Path.of(dir, name).toString();
                }
            }
        }
        return null;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            System.out.println(command + ":\n" + out);
        }
        return new Result(p.exitValue(), out);
    }
}
