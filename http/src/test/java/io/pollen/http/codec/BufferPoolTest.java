package io.pollen.http.codec;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle connection holds no buffer; buffers are reused by size class; what the pool does not
 * keep (beyond its cap, oversized, at close) is freed at once, and a freed buffer cannot be used.
 */
class BufferPoolTest {
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
    void outputHoldsABufferOnlyWhileBytesWait() {
        try (BufferPool pool = new BufferPool(64, 64, 1024)) {
            OutputBuffer out = new OutputBuffer(pool);
            assertFalse(out.holdsBuffer(), "a new (idle) output holds nothing");
            out.put("hello".getBytes());
            assertTrue(out.holdsBuffer());
            ByteBuffer b = out.flipForWrite();
            b.position(2); // a short write
            out.compactAfterWrite();
            assertEquals(3, out.pending(), "the unwritten bytes stay");
            out.flipForWrite().position(3); // the rest is written
            out.compactAfterWrite();
            assertFalse(out.holdsBuffer(), "drained: back to the pool");
            assertEquals(1, pool.freeCount());
            out.put((byte) 1);
            assertEquals(0, pool.freeCount(), "the pooled buffer is reused");
            assertEquals(1, pool.allocations());
            assertEquals(1, pool.hits());
        }
    }

    @Test
    void growingMovesUpTheClassesAndReusesThem() {
        try (BufferPool pool = new BufferPool(16, 1024, 1 << 20)) {
            OutputBuffer out = new OutputBuffer(pool);
            for (int round = 0; round < 5; round++) {
                byte[] big = new byte[300];
                big[299] = (byte) round;
                out.put("head".getBytes()).put(big); // 16 -> 512: one move, the small one goes back
                ByteBuffer b = out.flipForWrite();
                assertEquals(512, b.capacity());
                assertEquals(304, b.remaining());
                assertEquals(round, b.get(303), "the bytes moved with the buffer");
                b.position(b.limit());
                out.compactAfterWrite();
                assertEquals(0, pool.bytesInUse());
            }
            assertEquals(2, pool.allocations(), "one buffer per class used, allocated once");
            assertEquals(8, pool.hits(), "every later round reused both");
            assertEquals(16 + 512, pool.bytesHeld());
            assertEquals(0, pool.frees());
        }
    }

    @Test
    void oversizedBuffersAreFreedWhenGivenBack() {
        try (BufferPool pool = new BufferPool(16, 64, 1 << 20)) {
            ByteBuffer huge = pool.take(1000);
            assertEquals(1000, huge.capacity());
            assertEquals(1000, pool.bytesInUse());
            huge.put(0, (byte) 1);
            pool.give(huge);
            assertEquals(1, pool.frees());
            assertEquals(0, pool.freeCount());
            assertEquals(0, pool.bytesInUse());
            assertThrows(IllegalStateException.class, () -> huge.get(0), "freed memory cannot be read");
        }
    }

    @Test
    void theCapBoundsWhatIsKeptAndLargeClassesMakeRoomForSmallOnes() {
        try (BufferPool pool = new BufferPool(16, 256, 300)) {
            ByteBuffer big1 = pool.take(256);
            ByteBuffer big2 = pool.take(256);
            pool.give(big1);
            pool.give(big2);
            assertEquals(256, pool.bytesHeld(), "a second 256 would pass the cap of 300: freed");
            assertEquals(1, pool.frees());
            ByteBuffer[] small = new ByteBuffer[4];
            for (int i = 0; i < small.length; i++) {
                small[i] = pool.take(16);
            }
            for (ByteBuffer b : small) {
                pool.give(b);
            }
            assertEquals(64, pool.bytesHeld(), "the large buffer was freed to keep the small ones");
            assertEquals(2, pool.frees());
            assertEquals(4, pool.freeCount());
            ByteBuffer again = pool.take(10);
            assertSame(small[3], again, "the last given back is handed out first");
            pool.give(again);
        }
    }

    @Test
    void closeFreesEverythingAndRefusesTakes() {
        BufferPool pool = new BufferPool(16, 64, 1024);
        ByteBuffer kept = pool.take();
        ByteBuffer held = pool.take(64);
        pool.give(kept);
        pool.close();
        assertEquals(2, pool.frees());
        assertEquals(0, pool.bytesHeld());
        assertThrows(IllegalStateException.class, () -> held.put(0, (byte) 1), "a buffer still out is freed too");
        assertThrows(IllegalStateException.class, pool::take);
        pool.give(held); // late return after close: nothing happens
        pool.close();    // idempotent
        assertEquals(2, pool.frees());
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(32, 16, 1));
    }

    @Test
    void flippingAnEmptyOutputWritesNothing() {
        try (BufferPool pool = new BufferPool(8, 8, 8)) {
            OutputBuffer out = new OutputBuffer(pool);
            assertEquals(0, out.flipForWrite().remaining());
            out.compactAfterWrite();
            assertTrue(out.isEmpty());
            assertEquals(0, pool.allocations());
        }
    }
}
