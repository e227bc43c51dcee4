package io.pollen.tls;

import java.nio.ByteBuffer;

/**
 * Where a TLS connection ({@link TlsChannel}, {@link TlsStream}) takes its record buffers from while
 * bytes are in flight, and gives them back to once they are drained: typically one pool per event
 * loop (Pollen's HTTP server passes its loop's pool of direct buffers), so that an idle kept-alive
 * TLS connection holds no buffer at all.
 *
 * <p>A connection takes up to three buffers (records read, records to send, plaintext that did not
 * fit the caller's buffer), each at least the session's packet or application buffer size (about
 * 16.7 KB), and gives each back when it is empty. It keeps one only while it must: a partial record
 * waits for its rest, records wait for the socket, plaintext waits for the reader, or the buffer is
 * lent to a pending read or write of the stream underneath. Closing the connection gives back
 * every buffer it is not lending (a lent one comes back when its operation ends).
 *
 * <p>Called on the connection's loop thread only, so an implementation owned by one loop needs no
 * locking. Taking and giving must not allocate in the steady state (the hot path of every record).
 */
public interface TlsBuffers {
    /**
     * A cleared buffer (write mode, position 0, limit = capacity) of at least {@code minBytes}.
     * Heap or direct; the caller gives back this very object.
     */
    ByteBuffer take(int minBytes);

    /** Gives back a buffer that {@link #take} returned, once; the caller does not touch it again. */
    void give(ByteBuffer buffer);
}
