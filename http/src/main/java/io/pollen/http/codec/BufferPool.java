package io.pollen.http.codec;

import io.pollen.tls.TlsBuffers;

import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;

/**
 * Direct buffers by size class, owned by one event loop (not thread-safe): every buffer it hands
 * out comes back to it, and the memory it frees is freed at once, never left for the GC.
 *
 * <p>Classes are {@code base << k} bytes up to {@code maxClass}; {@link #take(int)} hands out a
 * buffer of the smallest class that fits. A returned buffer is kept for reuse while the free
 * buffers stay within {@code maxHeldBytes}; past that, free buffers of larger classes are freed to
 * make room (small buffers serve every request, large ones only some), and if that is not enough
 * the returned buffer itself is freed. A request above {@code maxClass} gets a buffer of its own
 * that is freed when it comes back. So a loop holds at most {@code maxHeldBytes} of free buffers
 * plus what its connections are using.
 *
 * <p>Why an {@link Arena#ofShared() shared arena} per buffer, rather than
 * {@link ByteBuffer#allocateDirect}: a direct buffer's memory is freed only when the GC finds the
 * buffer unreachable, and a server that allocates nothing on the heap per request rarely runs
 * the GC, so dropped direct buffers piled up to gigabytes. Closing an arena frees its memory at
 * once. One arena per buffer lets each be freed on its own; shared (not confined) so that the
 * pool can be closed from any thread, even after its loop thread ended, and so that a loop driven
 * by different threads works. A shared close costs a thread handshake (microseconds); it is paid
 * only on the rare paths (beyond the cap, oversized, closing), never per request. A buffer used
 * after it was freed throws {@link IllegalStateException} instead of touching freed memory.
 *
 * <p>{@link #heap} makes a pool of heap buffers instead, for owners that cannot know when the last
 * buffer came back (the HTTP client, whose requests outlive its close): nothing to free, the GC
 * takes what is dropped. It is a {@link TlsBuffers}, so TLS connections take their record buffers
 * from the same pool as the plain path.
 *
 * <p>Counters ({@link #allocations()}, {@link #hits()}, {@link #returns()}, {@link #frees()},
 * {@link #bytesHeld()}, {@link #bytesInUse()}) are plain fields: read them on the owning thread.
 */
public final class BufferPool implements AutoCloseable, TlsBuffers {
    private final int base;
    private final int classes;
    private final long maxHeldBytes;
    private final ArrayDeque<ByteBuffer>[] free;
    /** Every live buffer and the arena that frees it (touched only on allocation and free). */
    private final Arenas arenas = new Arenas();
    /**
     * A safety net only: if a pool is dropped without {@link #close()} (a server whose runtime
     * was shut down and that was never closed), its memory is freed when the pool is collected
     * rather than never (a shared arena is not freed by the GC).
     */
    private final Cleaner.Cleanable cleanable;
    private boolean closed;
    /** Direct buffers from arenas; false: heap buffers, left to the GC. */
    private final boolean direct;

    private long allocations;
    private long hits;
    private long returns;
    private long frees;
    private long bytesHeld;
    private long bytesInUse;

    /**
     * @param base         the smallest class, in bytes
     * @param maxClass     the largest pooled class (rounded down to {@code base << k}); larger
     *                     requests get a buffer of their own, freed when returned
     * @param maxHeldBytes how many bytes of free buffers to keep for reuse
     */
    public BufferPool(int base, int maxClass, long maxHeldBytes) {
        this(base, maxClass, maxHeldBytes, true);
    }

    /** A pool of heap buffers, with the same classes and cap (see the class comment). */
    public static BufferPool heap(int base, int maxClass, long maxHeldBytes) {
        return new BufferPool(base, maxClass, maxHeldBytes, false);
    }

    @SuppressWarnings("unchecked")
    private BufferPool(int base, int maxClass, long maxHeldBytes, boolean direct) {
        if (base < 1 || maxClass < base || maxHeldBytes < 0) {
            throw new IllegalArgumentException("need 1 <= base <= maxClass and maxHeldBytes >= 0: "
                    + base + ", " + maxClass + ", " + maxHeldBytes);
        }
        this.base = base;
        int k = 1;
        while ((long) base << k <= maxClass) k++;
        this.classes = k;
        this.maxHeldBytes = maxHeldBytes;
        this.direct = direct;
        this.free = new ArrayDeque[classes];
        for (int i = 0; i < classes; i++) {
            free[i] = new ArrayDeque<>();
        }
        this.cleanable = CLEANER.register(this, arenas);
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /** The live arenas; closing them all is the pool's close (and its cleaner's action). */
    private static final class Arenas implements Runnable {
        final IdentityHashMap<ByteBuffer, Arena> live = new IdentityHashMap<>();
        int closedOnRun;

        @Override
        public void run() {
            for (Arena a : live.values()) {
                a.close();
                closedOnRun++;
            }
            live.clear();
        }
    }

    /** The smallest class: what {@link #take()} hands out. */
    public int bufferSize() {
        return base;
    }

    /** The largest pooled class. */
    public int maxClassSize() {
        return base << (classes - 1);
    }

    /** A cleared buffer (write mode) of {@link #bufferSize()} bytes. */
    public ByteBuffer take() {
        return take(base);
    }

    /** A cleared buffer (write mode) of at least {@code min} bytes: its class, or its own size. */
    @Override
    public ByteBuffer take(int min) {
        if (closed) {
            throw new IllegalStateException("buffer pool closed");
        }
        int k = classOf(min);
        ByteBuffer b = k >= 0 ? free[k].poll() : null;
        if (b != null) {
            hits++;
            bytesHeld -= b.capacity();
        } else {
            b = allocate(k >= 0 ? base << k : min);
        }
        bytesInUse += b.capacity();
        return b.clear();
    }

    /**
     * Returns a buffer taken from here (once). It is kept for reuse, or freed at once: a buffer
     * must not be touched after it was given back.
     */
    @Override
    public void give(ByteBuffer b) {
        returns++;
        bytesInUse -= b.capacity();
        int cap = b.capacity();
        int k = classOf(cap);
        if (closed || k < 0 || base << k != cap) {
            release(b); // oversized (or not one of ours): never pooled
            return;
        }
        // Make room by freeing larger classes first: they are the ones a burst left behind.
        for (int j = classes - 1; j > k && bytesHeld + cap > maxHeldBytes; j--) {
            while (!free[j].isEmpty() && bytesHeld + cap > maxHeldBytes) {
                ByteBuffer evicted = free[j].pop();
                bytesHeld -= evicted.capacity();
                release(evicted);
            }
        }
        if (bytesHeld + cap > maxHeldBytes) {
            release(b);
            return;
        }
        bytesHeld += cap;
        free[k].push(b);
    }

    /** The class index whose size fits {@code n} bytes, or -1 if none does. */
    private int classOf(int n) {
        int k = 0;
        while (k < classes && (long) base << k < n) k++;
        return k < classes ? k : -1;
    }

    private ByteBuffer allocate(int size) {
        if (!direct) {
            allocations++;
            return ByteBuffer.allocate(size);
        }
        Arena arena = Arena.ofShared();
        ByteBuffer b;
        try {
            b = arena.allocate(size, 64).asByteBuffer();
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        arenas.live.put(b, arena);
        allocations++;
        return b;
    }

    private void release(ByteBuffer b) {
        if (!direct) {
            frees++; // dropped: the GC takes it
            return;
        }
        Arena arena = arenas.live.remove(b);
        if (arena != null) {
            frees++;
            arena.close();
        }
    }

    /**
     * Frees every buffer this pool allocated, free or still handed out (those must not be used
     * any more: a use throws {@link IllegalStateException}). Later {@link #give} calls free
     * nothing more; {@link #take} throws. Idempotent; callable from any thread once the owner
     * stopped using the pool.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ArrayDeque<ByteBuffer> q : free) {
            q.clear();
        }
        bytesHeld = 0;
        cleanable.clean(); // closes every arena, once
        frees += arenas.closedOnRun;
    }

    /** Buffers waiting for reuse. */
    public int freeCount() {
        int n = 0;
        for (ArrayDeque<ByteBuffer> q : free) {
            n += q.size();
        }
        return n;
    }

    /** Buffers allocated (each a new arena): the number a warm pool stops increasing. */
    public long allocations() {
        return allocations;
    }

    /** Takes served by a free buffer. */
    public long hits() {
        return hits;
    }

    /** Buffers given back. */
    public long returns() {
        return returns;
    }

    /** Buffers freed (beyond the cap, oversized, or at close). */
    public long frees() {
        return frees;
    }

    /** Bytes of free buffers kept for reuse (at most {@code maxHeldBytes}). */
    public long bytesHeld() {
        return bytesHeld;
    }

    /** Bytes of buffers handed out and not yet given back. */
    public long bytesInUse() {
        return bytesInUse;
    }
}
