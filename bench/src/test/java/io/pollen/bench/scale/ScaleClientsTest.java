package io.pollen.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pollen.bench.NativeBuild;
import io.pollen.http.DemoRoutes;
import io.pollen.http.HttpServer;
import io.pollen.runtime.Runtime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scale run's clients do the work they are timed on: every request of a (small) burst gets
 * its complete 200 from a real demo server, in every client, the C reference included. Timing is
 * bench/scale.sh's business, not this test's.
 */
class ScaleClientsTest {
    private static final int REQUESTS = 300;
    private static final String PATH = "/delay/20/url/http://www.google.com";

    private static Runtime rt;
    private static HttpServer server;
    private static InetSocketAddress at;

    @BeforeAll
    static void startServer() throws Exception {
        rt = Runtime.builder().loops(1).threadNamePrefix("scale-test-server").build();
        server = DemoRoutes.install(HttpServer.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))).start(rt);
        at = new InetSocketAddress("127.0.0.1", server.port());
    }

    @AfterAll
    static void stopServer() {
        server.close();
        rt.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pollen", "jdk-httpclient", "virtual-threads"})
    void everyRequestOfABurstSucceeds(String kind) throws Exception {
        try (LoadClient client = ClientMain.open(kind)) {
            client.prepare();
            client.warmUp(at);
            for (int pass = 0; pass < 2; pass++) {
                long fdsBefore = openFds();
                Outcome outcome = new Outcome(REQUESTS);
                client.run(at, PATH, outcome);
                assertNull(outcome.firstFailure.get(), kind + ": first failure");
                assertEquals(REQUESTS, outcome.ok.get(), kind + ": requests answered 200 with a body");
                assertTrue(outcome.fastestNanos.get() >= TimeUnit.MILLISECONDS.toNanos(20),
                        kind + ": no answer before the server's 20 ms delay");
                client.afterPass(at);
                // The next pass starts without the pass's connections (a pool may keep a few; the
                // last closes may still be on their way when the last answer is in).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (openFds() >= fdsBefore + 50 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(openFds() < fdsBefore + 50, kind + ": " + openFds() + " fds open after the pass, "
                        + fdsBefore + " before it");
            }
        }
    }

    @Test
    void theCReferenceClientSpeaksClientMainsProtocol(@TempDir Path dir) throws Exception {
        Path binary = NativeBuild.gcc(dir, "delay_client");
        // Pass 1 goes to `first` ("GO": the port it was started with); pass 2 to the test's server
        // ("GO <port>"), after `first` has closed: so pass 2 succeeds only at the port it was sent to.
        HttpServer first = DemoRoutes.install(HttpServer.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))).start(rt);
        Process p = new ProcessBuilder(binary.toString(), "127.0.0.1", String.valueOf(first.port()),
                String.valueOf(REQUESTS), PATH, "2").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> results = new ArrayList<>();
        int ready = 0;
        try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8); Writer go = p.outputWriter(StandardCharsets.UTF_8)) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("READY pass=")) {
                    ready++;
                    if (ready == 2) {
                        first.close();
                    }
                    go.write(ready == 1 ? "GO\n" : "GO " + at.getPort() + "\n");
                    go.flush();
                } else if (line.startsWith("RESULT ")) {
                    results.add(line);
                }
            }
        } finally {
            first.close();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the C client finished");
        assertEquals(0, p.exitValue(), "exit status: every request succeeded");
        assertEquals(2, ready, "one READY per pass");
        assertEquals(2, results.size(), "one RESULT per pass");
        for (String r : results) {
            assertTrue(r.contains(" ok=" + REQUESTS + " failed=0 "), r);
        }
    }

    @Test
    void aGoAheadMayNameThePassesPort() throws Exception {
        InetSocketAddress start = new InetSocketAddress("127.0.0.1", 8080);
        assertEquals(start, ClientMain.goAhead("GO", start));
        assertEquals(start, ClientMain.goAhead(null, start), "end of input: go ahead, same server");
        assertEquals(new InetSocketAddress("127.0.0.1", 9090), ClientMain.goAhead("GO 9090", start));
        assertThrows(NumberFormatException.class, () -> ClientMain.goAhead("GO x", start));
    }

    @Test
    void theSendFloorGetsEveryRequestOut(@TempDir Path dir) throws Exception {
        Path binary = NativeBuild.gcc(dir, "send_floor", "-pthread");
        for (int threads = 1; threads <= 2; threads++) {
            Process p = new ProcessBuilder(binary.toString(), "200", "2", String.valueOf(threads))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines;
            try (BufferedReader out = p.inputReader(StandardCharsets.UTF_8)) {
                lines = out.lines().toList();
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "send_floor finished");
            assertEquals(0, p.exitValue(), "every request reached the acceptor: " + lines);
            assertEquals(2, lines.size(), lines.toString());
            for (String line : lines) {
                assertTrue(line.matches("FLOOR requests=200 threads=" + threads + " ms=\\d+\\.\\d"), line);
                assertTrue(Double.parseDouble(ScaleRun.parseFields(line.substring(6)).get("ms")) > 0, line);
            }
        }
        for (String[] bad : List.of(new String[]{"0"}, new String[]{"10", "1", "0"}, new String[]{"2", "1", "3"})) {
            List<String> cmd = new ArrayList<>(List.of(binary.toString()));
            cmd.addAll(List.of(bad));
            assertEquals(2, new ProcessBuilder(cmd).start().waitFor(), "a usage error: " + cmd);
        }
    }

    @Test
    void theServerReportsWhenRequestsArrivedOnTheClientsClock() throws Exception {
        try (ServerProcess server = ServerProcess.start(List.of(), "1", 2);
             HttpClient client = HttpClient.newHttpClient()) {
            assertEquals(2, server.ports().size(), "one port per listener asked for");
            assertNotEquals(server.ports().get(0), server.ports().get(1));
            assertEquals("0", server.arrivals().get("count"), "nothing yet");
            long before = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.ports().get(i % 2) + "/delay/1/x")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
            }
            long after = System.nanoTime();
            Map<String, String> a = server.arrivals();
            assertEquals("3", a.get("count"), "both listeners count: " + a);
            long first = Long.parseLong(a.get("first_ns"));
            long last = Long.parseLong(a.get("last_ns"));
            // Another process's System.nanoTime, on the same CLOCK_MONOTONIC as this one's.
            assertTrue(before <= first && first <= last && last <= after, a + " within " + before + ".." + after);
            assertEquals("0", server.arrivals().get("count"), "each report starts a new count");
        }
    }

    /** This process's open file descriptors. */
    private static long openFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void theKernelCountersAreReadable() throws Exception {
        TcpCounters a = TcpCounters.read();
        assertTrue(a.listenOverflows() >= 0 && a.synRetransmits() >= 0, a.toString());
        assertTrue(TcpCounters.timeWait() >= 0, "TIME_WAIT count from /proc/net/sockstat");
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/core/somaxconn"))) {
            assertEquals(r.readLine().trim(), TcpCounters.somaxconn(), "the whole value of net.core.somaxconn");
        }
    }
}
