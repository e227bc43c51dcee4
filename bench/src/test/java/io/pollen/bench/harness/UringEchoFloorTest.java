package io.pollen.bench.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pollen.bench.NativeBuild;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/native/uring_echo.c}, the io_uring floor of the echo benchmarks ({@code c-io_uring}
 * in {@code bench/echo-cost.sh} and {@code bench/echo-pairs.sh}): compiled with gcc, started once,
 * and held to what a measurement relies on — every byte echoed in order (also after the client's
 * end of stream, also with many connections at once), and clients that reset mid-stream neither
 * stop it nor leave descriptors behind. Skipped (with the reason) where gcc is absent or io_uring
 * is not allowed here. {@link UringEchoFloorFixedFilesTest} runs every test again with {@code --fixed-files 1}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UringEchoFloorTest {

    private Path dir;   // the class's temporary folder: a @BeforeAll parameter (an instance field is filled per test)
    private Path binary;
    private Process server;
    private int port;

    /** What every start of the server here adds to its command line. */
    List<String> mode() {
        return List.of();
    }

    /** The server's command line: the binary, {@code args}, then {@link #mode()}. */
    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(mode());
        return cmd;
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        binary = NativeBuild.gcc(dir, "uring_echo");

        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        server = new ProcessBuilder(command("--echo-port", Integer.toString(port))).redirectErrorStream(true).start();
        String first = readLine(server.getInputStream());
        if (!first.startsWith("READY")) {
            server.waitFor(5, TimeUnit.SECONDS);
            Assumptions.assumeFalse(first.startsWith("UNAVAILABLE"), "io_uring cannot be used here: " + first);
            throw new AssertionError("uring_echo did not start: " + first);
        }
        assertEquals("READY uring_echo echo=" + port, first);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            b.append((char) c);
        }
        return b.toString();
    }

    /** Writes {@code data}, half-closes, and returns everything the server sent until its end of stream. */
    private byte[] roundTrip(byte[] data) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            s.getInputStream().transferTo(got);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return got.toByteArray();
        }
    }

    private long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(server.pid()), "fd"))) {
            return fds.count();
        }
    }

    @Test
    void badArgumentsExit2WithTheUsage() throws Exception {
        for (List<String> args : List.<List<String>>of(List.of(), List.of("--echo-port", "0"), List.of("--bogus", "1"),
                List.of("--echo-port", "1", "--fixed-files", "2"))) {
            List<String> cmd = new ArrayList<>(List.of(binary.toString()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.startsWith("usage: uring_echo") || out.startsWith("uring_echo: unknown option --bogus"), out);
        }
    }

    /**
     * Where a seccomp filter refuses io_uring (Docker's default profile does), it says so as the
     * harness's servers do: "UNAVAILABLE" and exit 3, which the harness reports as unavailable, not failed.
     */
    @Test
    void whereIoUringIsRefusedItSaysUnavailableAndExits3() throws Exception {
        Path filter = Path.of("../cli/src/test/c/seccomp_deny.c");
        if (!Files.exists(filter)) filter = Path.of("cli/src/test/c/seccomp_deny.c");
        Path deny = NativeBuild.gcc(dir, filter);
        for (String errno : List.of("EPERM", "ENOSYS")) {
            List<String> cmd = new ArrayList<>(List.of(deny.toString(), errno));
            cmd.addAll(command("--echo-port", Integer.toString(port + 1)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(3, p.exitValue(), out);
            assertEquals("UNAVAILABLE io_uring_setup: " + (errno.equals("EPERM") ? "Operation not permitted" : "Function not implemented"), out);
        }
    }

    @Test
    void echoesEveryByteInOrderThenClosesAfterTheClientsEnd() throws IOException {
        byte[] data = new byte[3 * 1024 * 1024 + 17]; // many recvs and sends, buffers recycled many times over
        new Random(1).nextBytes(data);
        assertArrayEquals(data, roundTrip(data));
        assertArrayEquals(new byte[0], roundTrip(new byte[0]));
    }

    @Test
    void manyConnectionsAtOnceEachGetTheirOwnBytes() throws Exception {
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 50; i++) {
            byte[] data = new byte[64 * 1024 + i];
            new Random(i).nextBytes(data);
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    assertArrayEquals(data, roundTrip(data));
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void clientsThatResetMidStreamLeaveNoDescriptorsAndTheServerServesOn() throws Exception {
        long before = openFds();
        byte[] chunk = new byte[256 * 1024];
        for (int i = 0; i < 40; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoLinger(true, 0); // close sends RST: the server's sends fail, its recv ends
                s.getOutputStream().write(chunk);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openFds() > before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before, openFds(), "descriptors after 40 resets");
        assertTrue(server.isAlive());
        byte[] data = "still here".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(data, roundTrip(data));
    }

    /**
     * Out of descriptors, a failed accept is retried after a pause, not at once: the server, held to
     * 16 descriptors, gets more connections than it can take, must not spin on the ones waiting in
     * its backlog (its cpu time over a second stays far below the second a spinning loop burns),
     * serves the connections it took meanwhile, and takes new ones once descriptors are free.
     */
    @Test
    void outOfDescriptorsItPausesInsteadOfSpinningAndServesOn() throws Exception {
        int limited;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            limited = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=16:16", "--"));
        cmd.addAll(command("--echo-port", Integer.toString(limited)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assertEquals("READY uring_echo echo=" + limited, readLine(p.getInputStream()));
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) { // more than 16 descriptors: the rest wait in the backlog
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), limited);
                    s.setSoTimeout(200);
                    clients.add(s);
                }
                Thread.sleep(200); // its accepts have failed by now
                long before = ProcStat.cpuNanos(p.pid());
                Thread.sleep(1000);
                long spent = ProcStat.cpuNanos(p.pid()) - before;
                assertTrue(before >= 0 && spent < 300_000_000L, "cpu ns in one second out of descriptors: " + spent);
                int echoed = 0;
                for (Socket s : clients) {
                    s.getOutputStream().write('x');
                    try {
                        if (s.getInputStream().read() == 'x') echoed++;
                    } catch (java.net.SocketTimeoutException waiting) {
                        // one of those still in the backlog
                    }
                }
                assertTrue(echoed > 0 && echoed < clients.size(), "echoed by the accepted connections only: " + echoed);
            } finally {
                for (Socket s : clients) s.close();
            }
            // Descriptors are free again: a new connection is taken (by a retry) and echoed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean served = false;
            while (!served && System.nanoTime() < deadline) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), limited)) {
                    s.setSoTimeout(500);
                    s.getOutputStream().write('y');
                    served = s.getInputStream().read() == 'y';
                } catch (java.net.SocketTimeoutException notYet) {
                    // the closed clients are still being drained from the backlog
                }
            }
            assertTrue(served, "a new connection is served once descriptors are free");
            assertTrue(p.isAlive());
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
