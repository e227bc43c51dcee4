package io.pollen.http;

/**
 * Counters of an {@link HttpServer}'s direct buffers, summed over its event loops
 * ({@link HttpServer#bufferStats()}). Each loop keeps one pool of read and write buffers by size
 * class; a connection takes buffers while bytes are in flight and gives them back once drained.
 *
 * <p>A warm server answers without allocating: {@link #allocations()} stays put while
 * {@link #hits()} grows. Memory the pool does not keep is freed at once (counted in
 * {@link #frees()}), never left for the garbage collector. The counters are cumulative since the
 * server started, except the two byte figures, which are current.
 *
 * @param allocations buffers allocated (native memory reserved)
 * @param hits        buffers handed out from the pool without allocating
 * @param returns     buffers given back by connections
 * @param frees       buffers whose memory was freed (beyond the pool's cap, larger than its
 *                    largest class, or when the server closed)
 * @param bytesHeld   bytes of free buffers kept for reuse (bounded by
 *                    {@link HttpServer.Builder#pooledBufferBytes(long)} per loop)
 * @param bytesInUse  bytes of buffers held by connections now
 */
public record BufferStats(long allocations, long hits, long returns, long frees, long bytesHeld, long bytesInUse) {

    /** The sum of two loops' counters. */
    public BufferStats plus(BufferStats o) {
        return new BufferStats(allocations + o.allocations, hits + o.hits, returns + o.returns, frees + o.frees,
                bytesHeld + o.bytesHeld, bytesInUse + o.bytesInUse);
    }

    /** All zero. */
    public static final BufferStats ZERO = new BufferStats(0, 0, 0, 0, 0, 0);
}
