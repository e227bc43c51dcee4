package io.pollen.poll.uring;

import io.pollen.net.Shutdown;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.spi.Ready;
import io.pollen.sys.NativeIOException;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import static io.pollen.poll.uring.UringDriverTest.fdOf;
import static io.pollen.poll.uring.UringDriverTest.open;
import static io.pollen.poll.uring.UringDriverTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read that finds nothing kept while completions wait unreaped in the CQ (after a
 * deregistration's {@code io_uring_enter}, say): the driver absorbs them without calling a handler,
 * and the read answers from what is kept then, or with a plain {@code recv}, never with a false
 * "would block". Other streams' readiness is reported by the next run, once.
 */
@Timeout(60)
class AbsorbOnReadTest extends UringTestCase {

    /** Makes the kernel post what it has for the driver's streams, unreaped (as a deregistration does). */
    static void postUnreaped(UringDriver d) throws IOException {
        long until = System.nanoTime() + 5_000_000_000L;
        do {
            Loopback.sleep(5);   // the peer's bytes or FIN reach the socket
            d.submitNow();       // one io_uring_enter: the multishot recvs' task work posts CQEs
        } while (d.quiet() && System.nanoTime() - until < 0);
        assertFalse(d.quiet(), "a completion waits unreaped (else this test shows nothing)");
    }

    /** A driver (64 buffers of 4 KiB) with two streams, tokens 1 and 2, their recvs armed. */
    static final class Two implements AutoCloseable {
        final UringDriver d = open(64, 256, 64, 4096);
        final Loopback.Pair a = Loopback.pair(Backend.IO_URING);
        final Loopback.Pair b = Loopback.pair(Backend.IO_URING);
        final UringDriverTest.Recorder r = new UringDriverTest.Recorder();

        Two() throws Exception {
            d.register(a.server(), 1, Interest.READABLE);
            d.register(b.server(), 2, Interest.READABLE);
            d.run(0, r);
        }

        /** Deregisters both streams (every buffer goes back), closes everything. */
        @Override
        public void close() throws Exception {
            try {
                d.deregister(a.server());
                d.deregister(b.server());
                assertEquals(0, d.buffersHeld(), "every buffer back in the ring");
            } finally {
                a.close();
                b.close();
                d.close();
            }
        }
    }

    static byte[] bytes(ByteBuffer b) {
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void aReadFindsItsBytesInTheSocketWhileAnotherStreamsCompletionWaitsUnreaped() throws Exception {
        try (Two t = new Two()) {
            UringDriver d = t.d;
            Loopback.Pair a = t.a;
            Loopback.Pair b = t.b;
            UringDriverTest.Recorder r = t.r;
            Loopback.writeAll(a.client(), pattern(100, 1));
            postUnreaped(d);                                     // a's completion sits in the CQ
            Loopback.writeAll(b.client(), pattern(50, 2));       // b's bytes sit in its socket
            Loopback.sleep(5);
            r.reports.clear();
            ByteBuffer got = ByteBuffer.allocate(1000);
            assertEquals(50, b.server().read(got), "not 'would block': b's bytes are in its socket");
            assertArrayEquals(pattern(50, 2), bytes(got));
            assertTrue(r.reports.isEmpty(), "no handler ran inside the read");
            assertTrue(d.absorbs > 0, "the read absorbed the CQ");
            assertEquals(Ready.READABLE, d.reports().noted(fdOf(a.server())) & Ready.READABLE, "a's readiness waits for the run");
            assertTrue(d.buffersHeld() > 0, "a's buffer is a's now");

            got.clear();
            assertEquals(100, a.server().read(got), "a reads its own bytes, kept by the absorb");
            assertArrayEquals(pattern(100, 1), bytes(got));
            d.run(0, r);
            assertEquals(1, r.reports.stream().filter(e -> e[0] == 1).count(), "a is reported by the next run, once");
        }
    }

    @Test
    void bytesKeepTheirOrderAcrossAnAbsorbAndTheReadsAfterIt() throws Exception {
        try (Two t = new Two()) {
            UringDriver d = t.d;
            Loopback.Pair a = t.a;
            Loopback.Pair b = t.b;
            UringDriverTest.Recorder r = t.r;
            int n = 120_000;
            byte[] all = pattern(n, 7);
            Loopback.writeAll(a.client(), pattern(10, 1));
            Loopback.writeAll(b.client(), Arrays.copyOfRange(all, 0, 30_000));
            postUnreaped(d);                                           // both streams' CQEs unreaped
            Loopback.writeAll(b.client(), Arrays.copyOfRange(all, 30_000, 60_000));   // then more in b's socket
            Loopback.sleep(5);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer chunk = ByteBuffer.allocate(3000);
            int k;
            while ((k = b.server().read(chunk.clear())) > 0) {         // absorb, kept bytes, then plain recvs
                got.write(chunk.array(), 0, k);
            }
            assertEquals(0, k, "would block once the socket is empty");
            assertTrue(got.size() >= 30_000, "the absorbed bytes and then the socket's: " + got.size());
            Loopback.writeAll(b.client(), Arrays.copyOfRange(all, 60_000, n));   // the rest through the recv
            long until = System.nanoTime() + 10_000_000_000L;
            while (got.size() < n && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);
                while ((k = b.server().read(chunk.clear())) > 0) {
                    got.write(chunk.array(), 0, k);
                }
            }
            assertArrayEquals(all, got.toByteArray(), "every byte, in order");
            assertArrayEquals(pattern(10, 1), Loopback.readExactly(a.server(), 10));
        }
    }

    @Test
    void peekSeesWhatWaitsUnreapedOrInTheSocketAndLeavesItForTheRead() throws Exception {
        try (Two t = new Two()) {
            UringDriver d = t.d;
            Loopback.Pair a = t.a;
            Loopback.Pair b = t.b;
            UringDriverTest.Recorder r = t.r;
            Loopback.writeAll(a.client(), pattern(20, 1));
            postUnreaped(d);                                     // a's own completion is unreaped
            Loopback.writeAll(b.client(), pattern(30, 2));
            Loopback.sleep(5);
            ByteBuffer peeked = ByteBuffer.allocate(100);
            assertEquals(20, a.server().peek(peeked), "a's peek absorbs its own completion");
            assertArrayEquals(pattern(20, 1), bytes(peeked));
            peeked.clear();
            assertEquals(30, b.server().peek(peeked), "b's peek sees b's socket");
            assertArrayEquals(pattern(30, 2), bytes(peeked));
            assertArrayEquals(pattern(20, 1), Loopback.readExactly(a.server(), 20), "the peek left a's bytes");
            assertArrayEquals(pattern(30, 2), Loopback.readExactly(b.server(), 30), "and b's");
        }
    }

    @Test
    void theEndOfAStreamComesThroughTheAbsorb() throws Exception {
        try (Two t = new Two()) {
            UringDriver d = t.d;
            Loopback.Pair a = t.a;
            Loopback.Pair b = t.b;
            UringDriverTest.Recorder r = t.r;
            Loopback.writeAll(a.client(), pattern(7, 1));
            a.client().shutdown(Shutdown.WRITE);
            b.client().shutdown(Shutdown.WRITE);
            postUnreaped(d);
            ByteBuffer got = ByteBuffer.allocate(100);
            assertEquals(-1, b.server().peek(got), "b's end, absorbed, is seen by a peek");
            assertEquals(-1, b.server().read(got), "and by the read");
            assertEquals(7, a.server().read(got), "a's bytes first");
            assertEquals(-1, a.server().read(got.clear()), "then a's end");
            d.run(0, r);
            for (long token : new long[] {1, 2}) {
                assertEquals(1, r.reports.stream().filter(e -> e[0] == token && (e[1] & Ready.READ_CLOSED) != 0).count(),
                        "the end of stream " + token + " reported once");
            }
        }
    }

    @Test
    void aResetComesThroughTheAbsorbAsTheErrorOnceThenTheEnd() throws Exception {
        try (Two t = new Two()) {
            UringDriver d = t.d;
            Loopback.Pair a = t.a;
            Loopback.Pair b = t.b;
            UringDriverTest.Recorder r = t.r;
            Loopback.writeAll(a.client(), pattern(5, 1));           // another stream's completion too
            b.client().setLinger(Duration.ZERO);
            b.client().close();                                     // an RST
            postUnreaped(d);
            ByteBuffer got = ByteBuffer.allocate(100);
            NativeIOException e = assertThrows(NativeIOException.class, () -> b.server().read(got),
                    "the reset, not 'would block'");
            assertEquals("ECONNRESET", e.errnoName());
            assertEquals(-1, b.server().read(got), "then the end of the stream");
            assertEquals(5, a.server().read(got));
        }
    }

    /** Nothing waits unreaped: the read is one plain recv, as before; no absorb. */
    @Test
    void aQuietRingIsNotReaped() throws Exception {
        UringDriver d = open(64, 256, 64, 4096);
        try (Loopback.Pair a = Loopback.pair(Backend.IO_URING)) {
            UringDriverTest.Recorder r = new UringDriverTest.Recorder();
            d.register(a.server(), 1, Interest.READABLE);
            d.run(0, r);
            TcpStream s = a.server();
            assertEquals(0, s.read(ByteBuffer.allocate(10)), "nothing there: would block");
            Loopback.writeAll(a.client(), pattern(9, 3));
            Loopback.sleep(5);
            assertArrayEquals(pattern(9, 3), Loopback.readExactly(s, 9), "a plain recv, no run needed");
            assertEquals(0, d.absorbs, "a quiet ring is not reaped");
            d.deregister(s);
        } finally {
            d.close();
        }
    }
}
