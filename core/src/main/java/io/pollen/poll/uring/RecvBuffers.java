package io.pollen.poll.uring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The receive side of a {@link UringDriver}: its provided-buffer ring ({@link BufRing}), how many of
 * its buffers streams hold, each stream's share, and the streams the ring starved.
 *
 * <p>A buffer is counted out when a recv completion hands it over ({@link #handedOut}) and back when
 * {@link #recycle}d. A multishot recv that found the ring empty ({@code -ENOBUFS}) waits in the
 * starved list and is re-armed by the driver's next run once buffers are back ({@link #refill}),
 * one stream per free buffer, oldest first: nothing is lost meanwhile, the bytes wait in the socket.
 * Loop thread only.
 */
final class RecvBuffers {
    private final BufRing ring;
    private final ByteBuffer bytes;
    private final int size;
    private final int count;
    private final int share;
    private final ArrayDeque<CompletionStream> starved = new ArrayDeque<>();
    private int held;
    /** Multishot recvs whose last completion has not arrived. */
    int armed;
    /** How many times a recv found the ring empty (tests). */
    long starvations;

    RecvBuffers(BufRing ring, int count, int size, int share) {
        this.ring = ring;
        this.bytes = ring.bytes();
        this.count = count;
        this.size = size;
        this.share = share;
    }

    int groupId() {
        return ring.groupId();
    }

    /** All buffers as one ByteBuffer; buffer {@code bid} starts at {@link #offset}. */
    ByteBuffer bytes() {
        return bytes;
    }

    int offset(int bid) {
        return bid * size;
    }

    /**
     * How many buffers one stream may hold before its recv pauses ({@code pollen.uring.stream.buffers};
     * by default an eighth of the ring, at least 2).
     */
    int share() {
        return share;
    }

    /** Buffers held by streams (tests: 0 once every stream is gone). */
    int held() {
        return held;
    }

    /** A completion handed buffer {@code bid} over: it is out of the ring until recycled. */
    void handedOut() {
        held++;
    }

    /** Buffer {@code bid} goes back to the kernel (a starved stream is re-armed by the next {@link #refill}). */
    void recycle(int bid) {
        ring.recycle(bid);
        held--;
    }

    /** The ring ran dry under {@code s}'s recv: re-armed by a {@link #refill} once buffers are back. */
    void starved(CompletionStream s) {
        starvations++;
        s.starved = true;
        starved.add(s);
    }

    /**
     * Before each {@code io_uring_enter}: re-arms starved streams, oldest first, one per buffer in
     * the ring, so that they go in with the same submission. Every free buffer re-arms one, each
     * run: a re-armed stream that takes no buffer (its bytes were read by a plain {@code recv}
     * meanwhile) leaves it for the next, and none waits for a recycle that will not come.
     */
    void refill() throws IOException {
        CompletionStream s;
        int free = count - held;
        while (free > 0 && (s = starved.poll()) != null) {
            if (s.starved && s.unstarve()) {
                free--;
            }
        }
    }

    /** Unregisters and frees the ring; only once no recv can pick from it. */
    void close() throws IOException {
        ring.close();
    }
}
