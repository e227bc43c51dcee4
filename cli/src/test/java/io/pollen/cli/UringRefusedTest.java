package io.pollen.cli;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where io_uring cannot run, end to end: {@code pollen} in a child JVM under a seccomp filter that
 * refuses io_uring's three system calls ({@code src/test/c/seccomp_deny.c}, compiled here), the way
 * Docker's default profile refuses them (EPERM) or a kernel without io_uring answers (ENOSYS).
 * Asking for io_uring fails with exit 2, the reason and a way out (no usage text: nothing on the
 * command line is wrong); the automatic choice stays epoll and serves. Runs where io_uring works without the filter (otherwise there is nothing to take away).
 */
@Timeout(120)
class UringRefusedTest {
    private static Path helper;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"EPERM, serve", "EPERM, demo", "EPERM, get", "ENOSYS, serve", "ENOSYS, demo", "ENOSYS, get"})
    void askingForIoUringSaysWhyAndExitsTwo(String errno, String command) throws Exception {
        List<String> args = switch (command) {
            case "serve" -> List.of("serve", "--port", "0", "--backend", "io_uring");
            case "demo" -> List.of("demo", "--tasks", "1", "--progress", "off", "--backend", "io_uring");
            default -> List.of("get", "--backend", "io_uring", "http://127.0.0.1:9/");
        };
        List<String> cmd = new ArrayList<>(List.of(seccompDeny().toString(), errno));
        cmd.addAll(Cli.pollenChild(List.of(), args));
        Cli.Run r = Cli.runToEnd(cmd, 60);
        assertEquals(2, r.exit(), "a usage error: " + r);
        assertTrue(r.err().contains("backend 'io_uring' is not available"), r.toString());
        // Nothing on the command line is wrong: the reason and a way out, not the usage text.
        assertTrue(r.err().contains("(leave --backend out for the automatic choice: epoll here)"), r.toString());
        assertFalse(r.err().contains("Usage:"), r.toString());
        if (errno.equals("ENOSYS")) {
            assertTrue(r.err().contains("io_uring_setup is not implemented here (ENOSYS)"), r.toString());
        } else {
            assertTrue(r.err().contains("io_uring_setup was refused (EPERM)") && r.err().contains("seccomp"), r.toString());
            if ("0".equals(sysctl())) { // the sysctl allows it: the message knows it was a filter
                assertTrue(r.err().contains("Docker's default seccomp profile"), r.toString());
            }
        }
    }

    @Test
    void theAutomaticChoiceStaysEpollAndServes() throws Exception {
        try (ServeChild serve = ServeChild.start(List.of(seccompDeny().toString(), "EPERM"))) {
            assertTrue(serve.stdout().contains("(epoll backend"), serve.toString());
            try (Socket s = serve.connect()) {
                s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                // Connection: close, so the server ends the stream.
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(response.startsWith("HTTP/1.1 200 ") && response.endsWith("Hello, World!"), response);
            }
            serve.process().destroy(); // SIGTERM: drains and exits 0, filter or not
            assertEquals(0, serve.exitCode(), serve.toString());
        }
    }

    /** The filter program, compiled on first use; the test is skipped (with why) where it cannot run. */
    private static synchronized Path seccompDeny() throws IOException, InterruptedException {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "seccomp filters are Linux's");
        assumeTrue(Backend.IO_URING.isAvailable(),
                () -> "io_uring does not run here even without a filter: " + Backend.IO_URING.unavailableReason());
        if (helper == null) {
            Path binary = Files.createTempDirectory("pollen-seccomp").resolve("seccomp_deny");
            binary.toFile().deleteOnExit();
            binary.getParent().toFile().deleteOnExit();
            Process gcc;
            try {
                gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary.toString(),
                        "src/test/c/seccomp_deny.c").redirectErrorStream(true).start();
            } catch (IOException noGcc) {
                assumeTrue(false, "skipped: gcc cannot be run (" + noGcc.getMessage() + ")");
                throw noGcc;
            }
            String said = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, gcc.waitFor(), "seccomp_deny.c does not compile: " + said);
            helper = binary;
        }
        return helper;
    }

    private static String sysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
