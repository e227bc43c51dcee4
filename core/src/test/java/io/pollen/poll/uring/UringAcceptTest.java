package io.pollen.poll.uring;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Unistd;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.pollen.poll.uring.UringDriverTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop's TCP listener on the io_uring driver: one multishot accept queues the connections; out of
 * descriptors, the error reaches {@code accept()} once and accepting goes on by {@code accept4}
 * until the backlog is empty (what an owner's back-off needs), then by completions again; a
 * deregistered listener closes what nobody took.
 */
@Timeout(60)
class UringAcceptTest extends UringTestCase {
    private final UringDriverTest.Recorder r = new UringDriverTest.Recorder();

    @Test
    void aListenersMultishotAcceptQueuesConnectionsAndADeregisteredOneClosesWhatNobodyTook() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        List<TcpStream> clients = new ArrayList<>();
        try (TcpListener listener = TcpListener.bind(Loopback.any(), Backend.IO_URING)) {
            d.register(listener, 5, Interest.READABLE);
            d.run(0, r);   // armed
            for (int i = 0; i < 3; i++) {
                clients.add(TcpStream.connect(listener.localAddress(), Backend.IO_URING));
            }
            List<TcpStream> accepted = new ArrayList<>();
            long until = System.nanoTime() + 10_000_000_000L;
            while (accepted.size() < 3 && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);
                for (TcpStream s; (s = listener.accept()) != null; ) {
                    accepted.add(s);
                }
            }
            assertEquals(3, accepted.size(), "three connections accepted by one multishot accept");
            assertTrue(r.saw(5), "the listener was reported readable");
            for (TcpStream s : accepted) {
                s.close();
            }
            for (int i = 0; i < 2; i++) {
                clients.add(TcpStream.connect(listener.localAddress(), Backend.IO_URING));
            }
            Loopback.sleep(20);
            d.run(1_000_000, r);   // queued, never taken
            d.deregister(listener);
            for (TcpStream c : clients.subList(3, 5)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                long end = System.nanoTime() + 10_000_000_000L;
                int n = 0;
                while (n == 0 && System.nanoTime() - end < 0) {
                    n = c.read(one);
                    Loopback.sleep(1);
                }
                assertEquals(-1, n, "a connection nobody took is closed with the listener's registration");
            }
        } finally {
            for (TcpStream c : clients) {
                c.close();
            }
            d.close();
        }
    }

    @Test
    void outOfDescriptorsTheErrorReachesAcceptOnceAndAcceptingGoesOnWhenOneIsFree() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        List<Integer> filler = new ArrayList<>();
        List<TcpStream> streams = new ArrayList<>();
        try (TcpListener listener = TcpListener.bind(Loopback.any(), Backend.IO_URING)) {
            d.register(listener, 5, Interest.READABLE);
            d.run(0, r);
            streams.add(TcpStream.connect(listener.localAddress(), Backend.IO_URING));
            try {
                for (int i = 0; i < 1_000_000; i++) {   // every descriptor the process may have
                    filler.add(UringTests.eventfd());
                }
            } catch (NativeIOException e) {
                assertTrue(e.isResourceExhaustion(), e.toString());
            }
            NativeIOException failed = null;
            long until = System.nanoTime() + 10_000_000_000L;
            while (failed == null && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);   // the multishot accept runs out of descriptors
                try {
                    assertNull(listener.accept(), "no descriptor to accept into");
                } catch (NativeIOException e) {
                    failed = e;
                }
            }
            assertNotNull(failed, "the failed accept reaches accept()");
            assertEquals("EMFILE", failed.errnoName(), failed.toString());
            NativeIOException again = assertThrows(NativeIOException.class, listener::accept,
                    "reported once; then accept4 answers, and the connection waits in the backlog");
            assertTrue(again.getMessage().startsWith("accept4") && "EMFILE".equals(again.errnoName()), again.toString());
            Unistd.close(filler.remove(filler.size() - 1));
            Unistd.close(filler.remove(filler.size() - 1));
            TcpStream first = listener.accept();   // by accept4: the multishot ended with the error
            assertNotNull(first, "one free descriptor: the waiting connection is accepted");
            streams.add(first);
            assertNull(listener.accept(), "the backlog is empty: the multishot accept is armed again");
            for (int fd : filler) {
                Unistd.close(fd);
            }
            filler.clear();
            streams.add(TcpStream.connect(listener.localAddress(), Backend.IO_URING));
            TcpStream second = null;
            until = System.nanoTime() + 10_000_000_000L;
            while (second == null && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);
                second = listener.accept();
            }
            assertNotNull(second, "accepted by the re-armed multishot accept");
            streams.add(second);
            d.deregister(listener);
        } finally {
            for (int fd : filler) {
                Unistd.close(fd);
            }
            for (TcpStream s : streams) {
                s.close();
            }
            d.close();
        }
    }
}
