package io.pollen.poll.uring;

import io.pollen.net.Pipe;
import io.pollen.net.TcpStream;
import io.pollen.net.UnixDatagram;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.spi.Driver;
import io.pollen.poll.spi.Drivers;
import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.Selector;
import io.pollen.sys.NativeIOException;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop-owned io_uring driver under TCP streams that do their I/O as completions: batching,
 * a CQ that overflows, a buffer ring that runs dry under a flood, multishot recv re-armed when the
 * kernel ends it, short sends, cancellation when a stream goes with operations in flight, stale
 * completions after the fd number is reused. Peers are plain (unregistered) sockets.
 */
@Timeout(60)
class UringDriverTest extends UringTestCase {

    /** A driver with its sizes chosen (the Poll it registers through made as the runtime's is). */
    static UringDriver open(int sq, int cq, int bufCount, int bufSize) throws Exception {
        return open(UringConfig.of(sq, cq, bufCount, bufSize));
    }

    /** A driver of the sizes of {@code config}. */
    static UringDriver open(UringConfig config) throws Exception {
        Method over = Poll.class.getDeclaredMethod("over", Backend.class, Selector.class);
        over.setAccessible(true);
        return UringDriver.open(sel -> {
            try {
                return (Poll) over.invoke(null, Backend.IO_URING, sel);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }, config);
    }

    /** Records reports by token. */
    static final class Recorder implements Driver.Dispatch {
        final List<long[]> reports = new ArrayList<>();

        @Override
        public void ready(long token, int readyBits) {
            reports.add(new long[] {token, readyBits});
        }

        boolean saw(long token) {
            return reports.stream().anyMatch(r -> r[0] == token);
        }
    }

    /** The server's send and the client's receive buffers as small as the kernel allows: sends fall short. */
    static void smallSocketBuffers(Loopback.Pair p) throws IOException {
        p.server().setSendBufferSize(4096);
        p.client().setReceiveBufferSize(4096);
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** Runs {@code d} and reads {@code s} until {@code n} bytes arrived (or fails after 10 s). */
    static byte[] readAll(UringDriver d, TcpStream s, int n, Recorder r, int chunk) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(n);
        long until = System.nanoTime() + 10_000_000_000L;
        while (got.hasRemaining() && System.nanoTime() - until < 0) {
            d.run(1_000_000, r);
            ByteBuffer window = got.slice(got.position(), Math.min(chunk, got.remaining()));
            int k = s.read(window);
            assertTrue(k >= 0, "no end of stream before " + n + " bytes");
            got.position(got.position() + k);
        }
        assertFalse(got.hasRemaining(), "got " + got.position() + " of " + n + " bytes");
        return got.array();
    }

    @Test
    void theDriverIsACompletionDriverForTheLoops() throws Exception {
        Driver d = Drivers.open(Backend.IO_URING, 64);
        try {
            assertInstanceOf(UringDriver.class, d);
            assertTrue(d.completions(), "TCP streams do their I/O as completions");
            assertTrue(d.kernelCalls() >= 0);
        } finally {
            d.close();
        }
    }

    @Test
    void theLoopThreadEntersByARegisteredRingFdAndClosingFreesIt() throws Exception {
        // 20 drivers in turn on this thread (16 slots): each registers on its first run, and its
        // close gives the slot back; without that, the 17th would enter by fd.
        for (int round = 0; round < 20; round++) {
            UringDriver d = open(64, 128, 16, 4096);
            try {
                assertEquals(-1, d.ring().registeredSlot(), "not before the loop's first run");
                d.run(0, new Recorder());
                assertTrue(d.ring().registeredSlot() >= 0, "round " + round + ": the loop's thread registered the ring fd");
                long calls = d.kernelCalls();
                d.run(0, new Recorder());
                assertEquals(calls + 1, d.kernelCalls(), "one io_uring_enter per run, by slot");
            } finally {
                d.close();
            }
        }
    }

    @Test
    void manyOperationsGoInOneIoUringEnter() throws Exception {
        UringDriver d = open(256, 1024, 64, 4096);
        List<Loopback.Pair> pairs = new ArrayList<>();
        List<Pipe> pipes = new ArrayList<>();
        try {
            Recorder r = new Recorder();
            d.run(0, r);   // enables the ring on this thread
            long before = d.kernelCalls();
            for (int i = 0; i < 20; i++) {
                Loopback.Pair p = Loopback.pair(Backend.IO_URING);
                pairs.add(p);
                d.register(p.server(), i, Interest.READABLE.add(Interest.WRITABLE));   // a multishot recv each
                assertEquals(5, p.server().write(ByteBuffer.wrap(pattern(5, i))));    // a send each
                Pipe pipe = Pipe.open(Backend.IO_URING);
                pipes.add(pipe);
                d.register(pipe.receiver(), 100 + i, Interest.READABLE);           // a poll each
            }
            assertEquals(before, d.kernelCalls(), "registering and writing only queue");
            d.run(0, r);
            assertEquals(before + 1, d.kernelCalls(), "60 operations submitted by one io_uring_enter");
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(pattern(5, i), Loopback.readExactly(pairs.get(i).client(), 5), "stream " + i);
                assertTrue(r.saw(i), "the fresh stream " + i + " is reported writable");
            }
        } finally {
            for (Loopback.Pair p : pairs) {
                d.deregister(p.server());
                p.close();
            }
            for (Pipe p : pipes) {
                d.deregister(p.receiver());
                p.sender().close();
                p.receiver().close();
            }
            d.close();
        }
    }

    @Test
    void aTinyCompletionQueueOverflowsAndLosesNothingAndEndedRecvsAreReArmed() throws Exception {
        UringDriver d = open(8, 8, 256, 512);   // 8 CQEs; each flooded stream makes dozens
        List<Loopback.Pair> pairs = new ArrayList<>();
        try {
            Recorder r = new Recorder();
            d.run(0, r);
            int n = 64 * 1024;
            for (int i = 0; i < 4; i++) {
                Loopback.Pair p = Loopback.pair(Backend.IO_URING);
                pairs.add(p);
                d.register(p.server(), i, Interest.READABLE);
            }
            d.run(0, r);   // recvs armed
            for (int i = 0; i < 4; i++) {
                Loopback.writeAll(pairs.get(i).client(), pattern(n, i));
            }
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(pattern(n, i), readAll(d, pairs.get(i).server(), n, r, 4096), "stream " + i + " in order");
            }
            assertTrue(d.ring().overflowFlushes() > 0, "the CQ overflowed (else this test shows nothing)");
            assertEquals(0, d.ring().dropped(), "no completion dropped");
            assertTrue(d.recvRearms > 0, "the kernel ended multishot recvs (F_MORE cleared), and they were re-armed");
        } finally {
            for (Loopback.Pair p : pairs) {
                d.deregister(p.server());
                p.close();
            }
            d.close();
        }
    }

    @Test
    void aFloodEmptiesTheBufferRingAndEveryByteArrivesInOrder() throws Exception {
        UringDriver d = open(64, 256, 4, 1024);   // 4 KiB of receive buffers for the whole loop
        try (Loopback.Pair a = Loopback.pair(Backend.IO_URING); Loopback.Pair b = Loopback.pair(Backend.IO_URING)) {
            Recorder r = new Recorder();
            d.register(a.server(), 1, Interest.READABLE);
            d.register(b.server(), 2, Interest.READABLE);
            int n = 256 * 1024;
            Thread flood = Thread.ofPlatform().start(() -> {
                try {
                    Loopback.writeAll(a.client(), pattern(n, 1));
                    Loopback.writeAll(b.client(), pattern(n, 2));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < 20; i++) {
                d.run(1_000_000, r);   // nothing read: the ring runs dry
            }
            assertEquals(4, d.buffersHeld(), "every buffer is held by the streams");
            assertTrue(d.recv().starvations > 0, "a recv ended with ENOBUFS");
            assertArrayEquals(pattern(n, 1), readAll(d, a.server(), n, r, 700), "stream a: every byte, in order");
            assertArrayEquals(pattern(n, 2), readAll(d, b.server(), n, r, 3000), "stream b: every byte, in order");
            flood.join(10_000);
            d.deregister(a.server());
            d.deregister(b.server());
            assertEquals(0, d.buffersHeld(), "every buffer went back to the ring");
        } finally {
            d.close();
        }
    }

    @Test
    void shortSendsResubmitTheRestAndRoomIsReportedWritable() throws Exception {
        UringDriver d = open(64, 256, 16, 4096);
        try (Loopback.Pair p = Loopback.pair(Backend.IO_URING)) {
            Recorder r = new Recorder();
            smallSocketBuffers(p);
            d.register(p.server(), 7, Interest.READABLE.add(Interest.WRITABLE));
            int n = 128 * 1024;
            byte[] data = pattern(n, 3);
            ByteBuffer src = ByteBuffer.wrap(data);
            ByteBuffer got = ByteBuffer.allocate(n);
            long until = System.nanoTime() + 20_000_000_000L;
            boolean blocked = false;
            boolean roomReported = false;
            while ((src.hasRemaining() || got.hasRemaining()) && System.nanoTime() - until < 0) {
                if (src.hasRemaining() && p.server().write(src) == 0) {
                    blocked = true;
                }
                r.reports.clear();
                d.run(0, r);
                roomReported |= blocked && r.reports.stream().anyMatch(e -> e[0] == 7 && (e[1] & Ready.WRITABLE) != 0);
                p.client().read(got);
            }
            assertTrue(roomReported, "room after a full buffer is reported writable");
            assertArrayEquals(data, got.array(), "every byte sent, in order");
            assertTrue(blocked, "the send buffer filled (write returned 0)");
            assertTrue(d.shortSends > 0, "the kernel took less than asked (short sends resubmitted)");
            d.deregister(p.server());
            assertEquals(0, d.sendBuffersHeld(), "the send buffer went back once drained");
        } finally {
            d.close();
        }
    }

    @Test
    void aShutdownThatWaitedForASendToAResetPeerFailsNothingInTheDriver() throws Exception {
        // Found by the io_uring soak (connection churn: the server answers "Connection: close", the
        // client resets): the write half's shutdown waits for the last send; the send failed on the
        // reset socket and the shutdown(2) after it said ENOTCONN, which escaped from the driver's
        // reaping as an uncaught failure of the loop (811 in 6 minutes) and cut its run short.
        UringDriver d = open(64, 256, 16, 4096);
        try (Loopback.Pair p = Loopback.pair(Backend.IO_URING)) {
            Recorder r = new Recorder();
            d.register(p.server(), 7, Interest.READABLE.add(Interest.WRITABLE));
            d.run(0, r);
            p.client().setLinger(java.time.Duration.ZERO);
            p.client().close();   // SO_LINGER 0: RST instead of FIN
            r.reports.clear();
            long until = System.nanoTime() + 5_000_000_000L;
            while (!r.saw(7) && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);   // the reset reaches the server's recv
            }
            assertTrue(r.saw(7), "the reset is reported");
            assertEquals(4, p.server().write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})), "taken, not yet sent");
            p.server().shutdown(io.pollen.net.Shutdown.WRITE);   // waits for that send
            for (int i = 0; i < 3; i++) {
                d.run(1_000_000, r);   // the send fails; nothing may escape from here
            }
            IOException later = assertThrows(IOException.class, () -> p.server().write(ByteBuffer.wrap(new byte[] {5})));
            assertTrue(later.getMessage().startsWith("send failed: E"), "the send's error is kept: " + later.getMessage());
            d.deregister(p.server());
            assertEquals(0, d.sendBuffersHeld(), "the send buffer went back");
        } finally {
            d.close();
        }
    }

    @Test
    void closingWithOperationsInFlightCancelsThemAndTheStreamsTokenIsNeverReported() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        try (Loopback.Pair p = Loopback.pair(Backend.IO_URING)) {
            Recorder r = new Recorder();
            smallSocketBuffers(p);
            d.register(p.server(), 9, Interest.READABLE.add(Interest.WRITABLE));
            // Write until the send buffer is full: the peer never reads, so a send stays in flight.
            ByteBuffer big = ByteBuffer.wrap(pattern(64 * 1024, 1));
            int stuck = 0;   // writes in a row that found the buffer full: the socket is full too
            for (int i = 0; i < 200_000 && stuck < 200; i++) {
                stuck = p.server().write(big.rewind()) == 0 ? stuck + 1 : 0;
                d.run(0, r);
            }
            assertEquals(200, stuck, "the socket filled");
            Loopback.writeAll(p.client(), pattern(100, 2));
            d.run(1_000_000, r);
            d.run(1_000_000, r);     // the 100 bytes are kept for a read that never comes
            assertTrue(d.buffersHeld() > 0);
            d.deregister(p.server());
            p.server().close();
            assertEquals(0, d.buffersHeld(), "kept buffers went back at deregistration");
            r.reports.clear();
            Loopback.writeAll(p.client(), pattern(100, 3));   // the recv is cancelled: nothing more for token 9
            d.run(20_000_000, r);
            assertFalse(r.saw(9), "after deregister the token is never reported");
            assertEquals(1, d.sends().inFlight(), "the send the peer does not read is still the kernel's");
            d.close();   // cancels it and waits for its completion before freeing the buffer
            assertEquals(0, d.sends().inFlight(), "the cancelled send completed before the driver closed");
            assertEquals(0, d.sendBuffersHeld());
        } finally {
            d.close();
        }
    }

    @Test
    void aCompletionOfAClosedStreamIsNotMistakenForTheNewOwnerOfItsFdNumber() throws Exception {
        UringDriver d = open(64, 256, 8, 4096);
        TcpStream reuser = null;
        TcpStream peer = null;
        try (Loopback.Pair a = Loopback.pair(Backend.IO_URING)) {
            Recorder r = new Recorder();
            d.register(a.server(), 1, Interest.READABLE);
            d.run(0, r);                                   // recv armed
            Loopback.writeAll(a.client(), pattern(10, 1));
            Loopback.sleep(20);
            int fd = fdOf(a.server());
            d.deregister(a.server());                      // its completion is posted now, not reaped
            a.server().close();
            r.reports.clear();
            reuser = TcpStream.connect(a.listener().localAddress(), Backend.IO_URING);   // lowest free fd
            peer = Loopback.acceptWithin(a.listener(), 10_000);
            org.junit.jupiter.api.Assumptions.assumeTrue(fdOf(reuser) == fd, "the kernel reused fd " + fd);
            d.register(reuser, 2, Interest.READABLE.add(Interest.WRITABLE));   // connecting: a connect poll first
            Loopback.writeAll(peer, pattern(10, 2));
            assertArrayEquals(pattern(10, 2), readAll(d, reuser, 10, r, 10), "the new owner gets its own bytes");
            assertFalse(r.saw(1), "the old registration's completion is stale");
            d.deregister(reuser);
            assertEquals(0, d.buffersHeld(), "the stale completion's buffer went back to the ring");
        } finally {
            for (TcpStream s : new TcpStream[] {reuser, peer}) {
                if (s != null) {
                    s.close();
                }
            }
            d.close();
        }
    }

    /** The fd behind a stream (private to io.pollen.net; tests on the class path may look). */
    static int fdOf(TcpStream s) throws ReflectiveOperationException {
        java.lang.reflect.Field impl = field(TcpStream.class, "impl");   // held by a package-private base
        impl.setAccessible(true);
        Object fdSocket = impl.get(s);
        java.lang.reflect.Field fd = field(fdSocket.getClass(), "fd");
        fd.setAccessible(true);
        return fd.getInt(fdSocket);
    }

    /** The field {@code name} declared by {@code type} or the nearest superclass that has one. */
    private static java.lang.reflect.Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    return f;
                }
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    @Test
    void aSourceRegisteredAndClosedBeforeAnyRunIsClosedForItsPeerAtOnce() throws Exception {
        UringDriver d = open(16, 64, 8, 1024);
        UnixDatagram[] p = UnixDatagram.pair(Backend.IO_URING);
        try {
            d.register(p[1], 1, Interest.READABLE.add(Interest.WRITABLE));   // a poll queued, not submitted
            d.deregister(p[1]);   // the poll and its removal must not share a batch: the file would stay held
            p[1].close();
            NativeIOException e = assertThrows(NativeIOException.class, () -> p[0].send(ByteBuffer.wrap(new byte[1])),
                    "the peer is gone without another run");
            assertEquals("ECONNREFUSED", e.errnoName());
        } finally {
            p[0].close();
            p[1].close();
            d.close();
        }
    }

    @Test
    void openingAndClosingDriversWithStreamsLeavesNoFdAndNoRing() throws Exception {
        int fds = io.pollen.testing.Fds.count();
        for (int i = 0; i < 10; i++) {
            UringDriver d = open(16, 64, 8, 1024);
            try (Loopback.Pair p = Loopback.pair(Backend.IO_URING)) {
                d.register(p.server(), 1, Interest.READABLE.add(Interest.WRITABLE));
                p.server().write(ByteBuffer.wrap(pattern(1000, i)));
                d.run(0, new Recorder());
                d.deregister(p.server());
            } finally {
                d.close();
            }
        }
        assertEquals(fds, io.pollen.testing.Fds.count(), "fds (ring, eventfd, sockets) all closed");
    }
}
