package io.pollen.poll.uring;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.Map;

import static io.pollen.poll.uring.UringDriverTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code pollen.uring.*} sizes: defaults, parsing, every refusal naming the property, the value
 * and the allowed range; and a driver with small non-default sizes (8 receive buffers of 4 KiB, a
 * 4 KiB send buffer) moving a large transfer intact through buffer-ring exhaustion and re-arms.
 */
@Timeout(60)
class UringConfigTest extends UringTestCase {

    static UringConfig parse(Map<String, String> props) {
        return UringConfig.parse(props::get);
    }

    static void refused(Map<String, String> props, String... inMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(props), props.toString());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), "'" + e.getMessage() + "' names " + s);
        }
    }

    @Test
    void unsetPropertiesAreTheDefaults() {
        UringConfig c = parse(Map.of());
        assertEquals(new UringConfig(256, 4096, 256, 16 * 1024, 32, 64 * 1024), c);
        assertEquals(c, UringConfig.system(), "no pollen.uring.* property is set for the tests");
        assertEquals(UringConfig.system(), UringConfig.system(), "read once");
    }

    @Test
    void setPropertiesAreTakenAndTheDerivedDefaultsFollowThem() {
        UringConfig c = parse(Map.of(UringConfig.ENTRIES, "4096", UringConfig.BUFFERS, " 1024 ",
                UringConfig.BUFFER_SIZE, "4096", UringConfig.SEND_BUFFER, "131072"));
        assertEquals(4096, c.entries());
        assertEquals(8192, c.cqEntries(), "twice the SQ when that is above 4096");
        assertEquals(1024, c.buffers());
        assertEquals(4096, c.bufferSize());
        assertEquals(128, c.streamBuffers(), "an eighth of the buffers");
        assertEquals(131072, c.sendBuffer());
        assertEquals(2, parse(Map.of(UringConfig.BUFFERS, "8")).streamBuffers(), "at least 2");
        assertEquals(1, parse(Map.of(UringConfig.BUFFERS, "1")).streamBuffers(), "at most all of them");
        assertEquals(65536, parse(Map.of(UringConfig.ENTRIES, "32768")).cqEntries(), "capped at the kernel's limit");
        assertEquals(8, parse(Map.of(UringConfig.BUFFERS, "8", UringConfig.STREAM_BUFFERS, "8")).streamBuffers());
    }

    @Test
    void badValuesAreRefusedNamingThePropertyTheValueAndTheRange() {
        refused(Map.of(UringConfig.ENTRIES, "100"), "pollen.uring.entries=100", "power of two", "1 to 32768");
        refused(Map.of(UringConfig.ENTRIES, "65536"), "pollen.uring.entries=65536", "1 to 32768");
        refused(Map.of(UringConfig.ENTRIES, "0"), "pollen.uring.entries=0");
        refused(Map.of(UringConfig.ENTRIES, "many"), "pollen.uring.entries=many", "not a whole number");
        refused(Map.of(UringConfig.CQ_ENTRIES, "128"), "pollen.uring.cq.entries=128", "256 to 65536");
        refused(Map.of(UringConfig.CQ_ENTRIES, "5000"), "pollen.uring.cq.entries=5000", "power of two");
        refused(Map.of(UringConfig.BUFFERS, "48"), "pollen.uring.buffers=48", "power of two", "1 to 32768");
        refused(Map.of(UringConfig.BUFFERS, "65536"), "pollen.uring.buffers=65536");
        refused(Map.of(UringConfig.BUFFERS, "-8"), "pollen.uring.buffers=-8");
        refused(Map.of(UringConfig.BUFFER_SIZE, "100"), "pollen.uring.buffer.size=100", "256 to 1048576");
        refused(Map.of(UringConfig.BUFFER_SIZE, "16k"), "pollen.uring.buffer.size=16k", "not a whole number");
        refused(Map.of(UringConfig.BUFFERS, "32768", UringConfig.BUFFER_SIZE, "65536"),
                "pollen.uring.buffers", "pollen.uring.buffer.size", "2147483648 bytes", "1 GiB");
        refused(Map.of(UringConfig.STREAM_BUFFERS, "0"), "pollen.uring.stream.buffers=0", "1 to 256");
        refused(Map.of(UringConfig.BUFFERS, "16", UringConfig.STREAM_BUFFERS, "17"),
                "pollen.uring.stream.buffers=17", "1 to 16", "pollen.uring.buffers");
        refused(Map.of(UringConfig.SEND_BUFFER, "512"), "pollen.uring.send.buffer=512", "1024 to 67108864");
        refused(Map.of(UringConfig.SEND_BUFFER, "99999999999"), "pollen.uring.send.buffer=99999999999");
    }

    @Test
    void aDriverWithEightBuffersOfFourKibMovesALargeTransferBothWaysIntact() throws Exception {
        UringConfig small = parse(Map.of(UringConfig.ENTRIES, "16", UringConfig.CQ_ENTRIES, "32",
                UringConfig.BUFFERS, "8", UringConfig.BUFFER_SIZE, "4096", UringConfig.STREAM_BUFFERS, "6",
                UringConfig.SEND_BUFFER, "4096"));
        UringDriver d = UringDriverTest.open(small);
        try (Loopback.Pair a = Loopback.pair(Backend.IO_URING); Loopback.Pair b = Loopback.pair(Backend.IO_URING)) {
            UringDriverTest.Recorder r = new UringDriverTest.Recorder();
            d.register(a.server(), 1, Interest.READABLE.add(Interest.WRITABLE));
            d.register(b.server(), 2, Interest.READABLE);
            int n = 1 << 20;
            Thread flood = Thread.ofPlatform().start(() -> {
                try {
                    Loopback.writeAll(a.client(), pattern(n, 1));
                    Loopback.writeAll(b.client(), pattern(n, 2));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < 20; i++) {
                d.run(1_000_000, r);   // nothing read yet: two streams of 6 take more than the 8 buffers
            }
            assertTrue(d.recv().starvations > 0, "the buffer ring ran dry (ENOBUFS)");
            assertArrayEquals(pattern(n, 1), UringDriverTest.readAll(d, a.server(), n, r, 5000), "a: every byte in order");
            assertArrayEquals(pattern(n, 2), UringDriverTest.readAll(d, b.server(), n, r, 3000), "b: every byte in order");
            flood.join(10_000);
            // The other way: 1 MiB through a 4 KiB send buffer, written as room comes back.
            byte[] out = pattern(n, 3);
            ByteBuffer src = ByteBuffer.wrap(out);
            ByteBuffer got = ByteBuffer.allocate(n);
            long until = System.nanoTime() + 20_000_000_000L;
            while (got.hasRemaining() && System.nanoTime() - until < 0) {
                if (src.hasRemaining()) {
                    assertTrue(a.server().write(src) <= 4096, "a write takes at most the send buffer");
                }
                d.run(0, r);
                a.client().read(got);
            }
            assertArrayEquals(out, got.array(), "every byte sent, in order");
            d.deregister(a.server());
            d.deregister(b.server());
            assertEquals(0, d.buffersHeld());
            assertEquals(0, d.sendBuffersHeld());
        } finally {
            d.close();
        }
    }
}
