package io.pollen.http.codec;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An idle connection holds no buffer; buffers are reused; grown ones are not pooled. */
class BufferPoolTest {

    @Test
    void outputHoldsABufferOnlyWhileBytesWait() {
        BufferPool pool = new BufferPool(64, 4);
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
    }

    @Test
    void grownBuffersAreDroppedAndThePoolIsBounded() {
        BufferPool pool = new BufferPool(16, 1);
        OutputBuffer out = new OutputBuffer(pool);
        out.put(new byte[100]); // grows past the pool's size
        out.flipForWrite().position(100);
        out.compactAfterWrite();
        assertEquals(0, pool.freeCount(), "a grown buffer is not pooled");
        ByteBuffer a = pool.take();
        ByteBuffer b = pool.take();
        pool.give(a);
        pool.give(b);
        assertEquals(1, pool.freeCount(), "at most maxFree kept");
        assertSame(a, pool.take());
        assertThrows(IllegalArgumentException.class, () -> new BufferPool(0, 1));
    }

    @Test
    void flippingAnEmptyOutputWritesNothing() {
        OutputBuffer out = new OutputBuffer(new BufferPool(8, 1));
        assertEquals(0, out.flipForWrite().remaining());
        out.compactAfterWrite();
        assertTrue(out.isEmpty());
    }
}
