package io.pollen.bench.harness;

import io.pollen.bench.servers.NettyServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Netty competitor on each transport the comparisons use, io_uring's provided-buffer ring
 * included: it starts, answers {@code GET /plaintext}, echoes what it gets (over more than one
 * buffer), or says the transport is unavailable here (then skipped, with Netty's reason).
 */
@Timeout(60)
class NettyServerTest {

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "io_uring-ring", "nio"})
    void servesPlaintextAndEchoes(String transport) throws Exception {
        int[] ports = ServerProcess.freePorts(2);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-Dio.netty.leakDetection.level=disabled", "-cp", System.getProperty("java.class.path"),
                NettyServer.class.getName(), "--http-port", Integer.toString(ports[0]),
                "--echo-port", Integer.toString(ports[1]), "--transport", transport))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the server printed nothing");
            assumeTrue(!line.startsWith("UNAVAILABLE"), line);
            assertTrue(line.startsWith("READY netty-" + transport), line);

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ports[0])) {
                s.getOutputStream().write("GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String head = new String(s.getInputStream().readNBytes(17), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 200 OK\r\n", head);
            }
            byte[] sent = new byte[100_000];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) (i * 31);
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ports[1])) {
                OutputStream o = s.getOutputStream();
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        o.write(sent);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] back = s.getInputStream().readNBytes(sent.length);
                writer.join();
                assertArrayEquals(sent, back);
            }
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
