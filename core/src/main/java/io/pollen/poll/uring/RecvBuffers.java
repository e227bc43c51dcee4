package io.pollen.poll.uring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The receive side of a {@link UringDriver}: its provided-buffer ring ({@link BufRing}), how many of
 * its buffers streams hold, each stream's share, and the streams the ring starved.
 *
 * <p>A buffer is counted out when a recv completion hands it over ({@link #handedOut}) and back when
 * {@link #recycle}d. A multishot recv that found the ring empty ({@code -ENOBUFS}) is re-armed as
 * soon as a buffer comes back, one stream per buffer, oldest first: nothing is lost meanwhile, the
 * bytes wait in the socket. Loop thread only.
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

    RecvBuffers(BufRing ring, int count, int size) {
        this.ring = ring;
        this.bytes = ring.bytes();
        this.count = count;
        this.size = size;
        this.share = Math.max(2, count / 8);
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

    /** How many buffers one stream may hold before its recv pauses: an eighth of the ring (at least 2). */
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

    /** Buffer {@code bid} goes back to the kernel; a stream the ring starved is re-armed. */
    void recycle(int bid) throws IOException {
        ring.recycle(bid);
        held--;
        CompletionStream s;
        while (held < count && (s = starved.poll()) != null) {
            if (s.starved && s.unstarve()) {
                break;   // one re-arm per buffer back: the ring refills before the next starves it
            }
        }
    }

    /** The ring ran dry under {@code s}'s recv: re-arm now if buffers came back, else when they do. */
    void starved(CompletionStream s) throws IOException {
        if (held < count && starved.isEmpty()) {
            s.arm();
            return;
        }
        starvations++;
        s.starved = true;
        starved.add(s);
    }

    /** Unregisters and frees the ring; only once no recv can pick from it. */
    void close() throws IOException {
        ring.close();
    }
}
