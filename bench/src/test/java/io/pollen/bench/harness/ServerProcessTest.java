package io.pollen.bench.harness;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerProcessTest {
    /**
     * The ports a server is started with differ from each other (the same port twice let the C
     * server's SO_REUSEPORT listeners share it, and HTTP requests reached the echo listener) and
     * are free: each can be bound right after. (This checks the contract; the rare collision of a
     * picker that closes each socket before opening the next does not reproduce on demand.)
     */
    @Test
    void freePortsAreDistinctAndBindable() throws Exception {
        for (int round = 0; round < 20; round++) {
            int[] ports = ServerProcess.freePorts(32);
            assertEquals(32, ports.length);
            assertEquals(32, Arrays.stream(ports).distinct().count(), Arrays.toString(ports));
            for (int p : ports) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    assertEquals(p, s.getLocalPort());
                }
            }
        }
    }
}
