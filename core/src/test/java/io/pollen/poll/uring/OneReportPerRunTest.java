package io.pollen.poll.uring;

import io.pollen.net.Pipe;
import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.spi.Driver;
import io.pollen.poll.spi.Ready;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.pollen.poll.uring.UringDriverTest.open;
import static io.pollen.poll.uring.UringDriverTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop's contract on io_uring: a registration's handler is called at most once per driver run,
 * with the bits of all its completions of that run together (several recvs, a recv and a send,
 * several accepts), as mio reports one event per token per poll.
 */
@Timeout(60)
class OneReportPerRunTest extends UringTestCase {

    /** Counts handler calls per token in one run, and ORs their bits. */
    static final class PerRun implements Driver.Dispatch {
        final Map<Long, Integer> calls = new HashMap<>();
        final Map<Long, Integer> bits = new HashMap<>();

        @Override
        public void ready(long token, int readyBits) {
            calls.merge(token, 1, Integer::sum);
            bits.merge(token, readyBits, (a, b) -> a | b);
        }

        void assertOncePerToken() {
            calls.forEach((token, n) -> assertEquals(1, n, "token " + token + " called " + n + " times in one run"));
        }
    }

    @Test
    void manyRecvsAndASendOfOneStreamInOneRunAreOneCall() throws Exception {
        UringDriver d = open(64, 256, 64, 1024);   // 1 KiB buffers: 6 KiB arrive as several recv completions
        try (Loopback.Pair p = Loopback.pair(Backend.IO_URING)) {
            d.register(p.server(), 5, Interest.READABLE.add(Interest.WRITABLE));
            PerRun first = new PerRun();
            d.run(0, first);                      // recv armed; the fresh stream's writable
            first.assertOncePerToken();
            ByteBuffer big = ByteBuffer.wrap(pattern(100 * 1024, 1));
            int took = p.server().write(big);
            assertTrue(took > 0 && big.hasRemaining(), "the send buffer filled: room will be reported");
            Loopback.writeAll(p.client(), pattern(6 * 1024, 2));
            Loopback.sleep(10);
            PerRun run = new PerRun();
            d.run(50_000_000, run);               // the send completes, the recv's task work posts ~6 CQEs
            run.assertOncePerToken();
            assertEquals(1, run.calls.get(5L), "one call for the stream");
            int bits = run.bits.get(5L);
            assertEquals(Ready.READABLE, bits & Ready.READABLE, "its recvs");
            assertEquals(Ready.WRITABLE, bits & Ready.WRITABLE, "its send's room");
            assertTrue(d.recv().held() >= 2, "several recv completions in that run (else this shows little): "
                    + d.recv().held());
            byte[] got = Loopback.readExactly(p.server(), 6 * 1024);
            assertArrayEquals(pattern(6 * 1024, 2), got, "the bytes of every completion, in order");
            ByteBuffer back = ByteBuffer.allocate(took);
            while (back.hasRemaining()) {
                d.run(1_000_000, new PerRun());
                p.client().read(back);
            }
            d.deregister(p.server());
        } finally {
            d.close();
        }
    }

    @Test
    void manyAcceptsAndPollsOfOneRunAreOneCallEach() throws Exception {
        UringDriver d = open(64, 256, 64, 1024);
        List<TcpStream> clients = new ArrayList<>();
        List<TcpStream> accepted = new ArrayList<>();
        Pipe pipe = Pipe.open(Backend.IO_URING);
        try (TcpListener l = TcpListener.bind(Loopback.any(), Backend.IO_URING)) {
            d.register(l, 1, Interest.READABLE);
            d.register(pipe.receiver(), 2, Interest.READABLE);
            d.run(0, new PerRun());               // the multishot accept and the poll armed
            for (int i = 0; i < 5; i++) {
                clients.add(TcpStream.connect(l.localAddress(), Backend.IO_URING));
            }
            Loopback.sleep(10);
            PerRun run = new PerRun();
            long until = System.nanoTime() + 5_000_000_000L;
            while (!run.calls.containsKey(1L) && System.nanoTime() - until < 0) {
                d.run(50_000_000, run);
            }
            run.assertOncePerToken();
            TcpStream s;
            while ((s = l.accept()) != null) {
                accepted.add(s);
            }
            assertTrue(accepted.size() >= 2, "several accepts in that run: " + accepted.size());
            PerRun poll = new PerRun();
            pipe.sender().write(ByteBuffer.wrap(new byte[1]));
            until = System.nanoTime() + 5_000_000_000L;
            while (!poll.calls.containsKey(2L) && System.nanoTime() - until < 0) {
                d.run(50_000_000, poll);
            }
            poll.assertOncePerToken();
            assertNotNull(poll.calls.get(2L), "the pipe's poll reported");
            d.deregister(l);
            d.deregister(pipe.receiver());
        } finally {
            for (TcpStream c : clients) {
                c.close();
            }
            for (TcpStream c : accepted) {
                c.close();
            }
            pipe.sender().close();
            pipe.receiver().close();
            d.close();
        }
    }

    /** A deregistration in one handler drops what another completion of the same run noted for it. */
    @Test
    void aRegistrationGoneBeforeItsTurnIsNotReported() throws Exception {
        UringDriver d = open(64, 256, 64, 1024);
        try (Loopback.Pair a = Loopback.pair(Backend.IO_URING); Loopback.Pair b = Loopback.pair(Backend.IO_URING)) {
            d.register(a.server(), 1, Interest.READABLE);
            d.register(b.server(), 2, Interest.READABLE);
            d.run(0, new PerRun());
            d.run(0, new PerRun());
            Loopback.writeAll(a.client(), pattern(10, 1));
            Loopback.writeAll(b.client(), pattern(10, 2));
            Loopback.sleep(10);
            List<Long> seen = new ArrayList<>();
            Driver.Dispatch closer = new Driver.Dispatch() {
                @Override
                public void ready(long token, int readyBits) {
                    seen.add(token);
                    try {
                        d.deregister(token == 1 ? b.server() : a.server());   // the other one goes
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
            long until = System.nanoTime() + 5_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() - until < 0) {
                d.run(50_000_000, closer);
            }
            assertEquals(1, seen.size(), "the other stream, deregistered by the first handler, is not reported: " + seen);
            d.deregister(seen.getFirst() == 1 ? a.server() : b.server());
            PerRun after = new PerRun();
            d.run(10_000_000, after);
            assertTrue(after.calls.isEmpty(), "nor later: " + after.calls);
            assertEquals(0, d.buffersHeld());
        } finally {
            d.close();
        }
    }
}
