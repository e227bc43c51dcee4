package io.pollen.http.codec;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** DateCache, Status and OutputBuffer: the pieces a response is written with. */
class EncodingTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    @Test
    void dateIsImfFixdateAndCachedPerSecond() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", DateCache.format(784111777L));
        AtomicLong now = new AtomicLong(784111777_000L);
        DateCache cache = new DateCache(now::get);
        long t = 0;
        byte[] a = cache.line(t);
        assertEquals("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", new String(a, StandardCharsets.ISO_8859_1));
        now.addAndGet(999);
        assertSame(a, cache.line(t + 999_000_000L), "same second: the cached bytes");
        now.addAndGet(1);
        byte[] b = cache.line(t + 1_000_000_000L);
        assertNotSame(a, b);
        assertEquals("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n", new String(b, StandardCharsets.ISO_8859_1));
    }

    @Test
    void dateFromMonotonicTimeReadsTheWallClockOnlyAtSecondBoundaries() {
        AtomicLong wall = new AtomicLong(784111777_250L);
        AtomicLong reads = new AtomicLong();
        DateCache cache = new DateCache(() -> {
            reads.incrementAndGet();
            return wall.get();
        });
        long t = -5_000_000_000L; // nanoTime values may be negative
        byte[] a = cache.line(t);
        assertEquals("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", new String(a, StandardCharsets.ISO_8859_1));
        assertSame(a, cache.line(t + 749_000_000L), "same wall second: no clock read");
        assertEquals(1, reads.get());
        wall.addAndGet(750);
        byte[] b = cache.line(t + 750_000_000L);
        assertEquals("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n", new String(b, StandardCharsets.ISO_8859_1));
        assertEquals(2, reads.get());
    }

    @Test
    void statusLines() {
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large\r\n", new String(Status.line(431), StandardCharsets.ISO_8859_1));
        assertSame(Status.line(200), Status.line(200));
        assertEquals("HTTP/1.1 299 Unknown\r\n", new String(Status.line(299), StandardCharsets.ISO_8859_1));
    }

    @Test
    void outputBufferGrowsAndWritesNumbers() {
        try (BufferPool pool = new BufferPool(8, 64, 1024)) {
            writeNumbers(new OutputBuffer(pool));
            assertEquals(pool.allocations(), pool.frees() + pool.freeCount(), "every grown buffer went back");
        }
    }

    private static void writeNumbers(OutputBuffer out) {
        out.putAscii("len=").putDecimal(0).put((byte) ' ').putDecimal(1234567890123L).put((byte) ' ').putHex(255)
                .put((byte) ' ').putHex(0).crlf();
        ByteBuffer b = out.flipForWrite();
        assertEquals("len=0 1234567890123 ff 0\r\n", StandardCharsets.ISO_8859_1.decode(b.duplicate()).toString());
        b.position(b.position() + 4); // a partial write
        out.compactAfterWrite();
        assertEquals(22, out.pending());
        out.flipForWrite().position(26 - 4);
        out.compactAfterWrite();
        assertTrue(out.isEmpty());
    }
}
