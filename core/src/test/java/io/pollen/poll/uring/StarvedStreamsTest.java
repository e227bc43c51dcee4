package io.pollen.poll.uring;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.spi.Ready;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.pollen.poll.uring.UringDriverTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams whose recv found the buffer ring empty ({@code ENOBUFS}) are re-armed once buffers are
 * back, every one of them, and then reported readable: also when a stream re-armed first takes no
 * buffer because a plain {@code recv} read its bytes meanwhile (a re-arm tied to each recycle then
 * left the others waiting for a recycle that never came, and their readers for a report).
 */
@Timeout(60)
class StarvedStreamsTest extends UringTestCase {

    @Test
    void everyStarvedStreamIsReArmedAndReportedOnceBuffersAreBack() throws Exception {
        UringDriver d = UringDriverTest.open(UringConfig.of(16, 64, 1, 4096));   // one buffer for the loop
        List<Loopback.Pair> pairs = new ArrayList<>();
        try {
            UringDriverTest.Recorder r = new UringDriverTest.Recorder();
            for (int i = 0; i < 4; i++) {
                Loopback.Pair p = Loopback.pair(Backend.IO_URING);
                pairs.add(p);
                d.register(p.server(), i, Interest.READABLE);
            }
            d.run(0, r);                                            // recvs armed
            Loopback.writeAll(pairs.get(0).client(), pattern(100, 0));
            long until = System.nanoTime() + 5_000_000_000L;
            while (d.buffersHeld() < 1 && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);                                // stream 0 takes the only buffer
            }
            for (int i = 1; i < 4; i++) {
                Loopback.writeAll(pairs.get(i).client(), pattern(100, i));
            }
            until = System.nanoTime() + 5_000_000_000L;
            while (d.recv().starvations < 3 && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);                                // streams 1..3 find the ring empty
            }
            assertEquals(3, d.recv().starvations, "three recvs ended with ENOBUFS");
            assertArrayEquals(pattern(100, 0), Loopback.readExactly(pairs.get(0).server(), 100), "the buffer comes back");
            assertArrayEquals(pattern(100, 1), Loopback.readExactly(pairs.get(1).server(), 100),
                    "stream 1's bytes by a plain recv: its re-armed recv will take no buffer");
            r.reports.clear();
            boolean[] read = new boolean[4];
            until = System.nanoTime() + 5_000_000_000L;
            while (!(read[2] && read[3]) && System.nanoTime() - until < 0) {
                d.run(1_000_000, r);
                for (int i = 2; i < 4; i++) {   // read only once told, as an edge-triggered owner does
                    int token = i;
                    if (!read[i] && r.reports.stream().anyMatch(e -> e[0] == token && (e[1] & Ready.READABLE) != 0)) {
                        assertArrayEquals(pattern(100, i), Loopback.readExactly(pairs.get(i).server(), 100), "stream " + i);
                        read[i] = true;
                    }
                }
            }
            assertTrue(read[2] && read[3], "streams 2 and 3 re-armed and reported readable");
            for (Loopback.Pair p : pairs) {
                d.deregister(p.server());
            }
            assertEquals(0, d.buffersHeld());
        } finally {
            for (Loopback.Pair p : pairs) {
                p.close();
            }
            d.close();
        }
    }
}
