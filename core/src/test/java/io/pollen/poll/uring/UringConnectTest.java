package io.pollen.poll.uring;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.spi.Ready;
import io.pollen.testing.Fds;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.pollen.poll.uring.UringDriverTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop's TCP connect as the io_uring driver's own operation ({@code IORING_OP_CONNECT}, through
 * {@link TcpStream#connectOnRegister}): connected is reported writable with the peer known, a
 * refused connect as an error whose text names the errno (as on epoll), and a connect cancelled by
 * a close while in flight leaves no fd behind, frees its sockaddr at its CQE and reports nothing.
 */
@Timeout(60)
class UringConnectTest extends UringTestCase {
    private final UringDriverTest.Recorder r = new UringDriverTest.Recorder();

    private void runUntilReported(UringDriver d, long token) throws IOException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!r.saw(token) && System.nanoTime() - until < 0) {
            d.run(1_000_000, r);
        }
        assertTrue(r.saw(token), "the connect's end was reported");
    }

    @Test
    void aConnectCompletesWritableAndTheStreamCarriesBytes() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        try (TcpListener listener = TcpListener.bind(Loopback.any(), Backend.IO_URING);
             TcpStream s = TcpStream.connectOnRegister(listener.localAddress(), Backend.IO_URING)) {
            d.register(s, 7, Interest.READABLE.add(Interest.WRITABLE));
            runUntilReported(d, 7);
            assertTrue(r.reports.stream().anyMatch(x -> x[0] == 7 && (x[1] & Ready.WRITABLE) != 0), "reported writable");
            assertNull(s.takeError(), "connected: no error");
            assertEquals(listener.localAddress().getPort(), ((InetSocketAddress) s.peerAddress()).getPort());
            assertEquals(0, d.fds.connectsOrphaned());
            assertEquals(1, d.connects, "connected by the driver's own IORING_OP_CONNECT");
            TcpStream accepted = null;
            long until = System.nanoTime() + 10_000_000_000L;
            while (accepted == null && System.nanoTime() - until < 0) {
                accepted = listener.accept();
                Loopback.sleep(1);
            }
            assertNotNull(accepted, "the listener accepted the connection");
            try (TcpStream a = accepted) {
                assertEquals(2, s.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII))));
                d.run(0, r);   // the send goes out
                ByteBuffer got = ByteBuffer.allocate(2);
                until = System.nanoTime() + 10_000_000_000L;
                while (got.hasRemaining() && System.nanoTime() - until < 0) {
                    a.read(got);
                    Loopback.sleep(1);
                }
                assertEquals("hi", new String(got.array(), StandardCharsets.US_ASCII));
            }
            d.deregister(s);
        } finally {
            d.close();
        }
    }

    @Test
    void aRefusedConnectIsAnErrorNamingECONNREFUSED() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        InetSocketAddress closedPort;
        try (TcpListener gone = TcpListener.bind(Loopback.any(), Backend.IO_URING)) {
            closedPort = gone.localAddress();
        }
        try (TcpStream s = TcpStream.connectOnRegister(closedPort, Backend.IO_URING)) {
            d.register(s, 9, Interest.READABLE.add(Interest.WRITABLE));
            runUntilReported(d, 9);
            assertTrue(r.reports.stream().anyMatch(x -> x[0] == 9 && (x[1] & Ready.ERROR) != 0), "reported as an error");
            IOException e = s.takeError();
            assertNotNull(e, "the refused connect's error");
            assertTrue(e.getMessage().startsWith("connect failed: ECONNREFUSED"), e.getMessage());
            assertNull(s.takeError(), "the error is taken once");
            d.deregister(s);
        } finally {
            d.close();
        }
    }

    @Test
    void aConnectCancelledByCloseWhileInFlightLeavesNothingAndReportsNothing() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        // A listener that never accepts, its accept queue full: Linux drops further SYNs, so the
        // connect stays in flight until cancelled.
        List<TcpStream> fillers = new ArrayList<>();
        try (TcpListener full = TcpListener.bind(Loopback.any(), Backend.IO_URING, 1, false)) {
            for (int i = 0; i < 8; i++) {
                fillers.add(TcpStream.connect(full.localAddress(), Backend.IO_URING));
            }
            Loopback.sleep(50);
            int before = Fds.count();
            TcpStream s = TcpStream.connectOnRegister(full.localAddress(), Backend.IO_URING);
            d.register(s, 11, Interest.READABLE.add(Interest.WRITABLE));
            d.run(20_000_000, r);   // submitted; nothing comes back
            assertFalse(r.saw(11), "the connect is still in flight");
            d.deregister(s);
            s.close();
            assertEquals(1, d.fds.connectsOrphaned(), "the cancelled connect's sockaddr waits for its CQE");
            long until = System.nanoTime() + 10_000_000_000L;
            while (d.fds.connectsOrphaned() > 0 && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);
            }
            assertEquals(0, d.fds.connectsOrphaned(), "the cancelled connect's CQE came and freed its sockaddr");
            assertFalse(r.saw(11), "a cancelled connect's completion is not dispatched");
            assertTrue(Fds.count() <= before, "the socket is closed");
        } finally {
            for (TcpStream f : fillers) {
                f.close();
            }
            d.close();
        }
    }
}
