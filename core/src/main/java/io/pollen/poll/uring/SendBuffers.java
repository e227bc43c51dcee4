package io.pollen.poll.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The native send buffers of a {@link UringDriver}'s completion streams, one per stream that has
 * written, each with the slot its {@code SEND}s complete to: {@code user_data} = the slot's
 * generation and index ({@link Slots}, pooled), so a send finds its stream in O(1) and outlives the
 * stream's registration until its completion arrives.
 *
 * <p><b>Ownership.</b> A stream holds its slot from its first write until it is deregistered and
 * no send of it is in flight; the bytes a submitted {@code SEND} covers belong to the kernel until
 * its completion. Buffers are allocated once per slot from one arena and reused by the next stream
 * that takes the slot: no native allocation per connection in steady state, and nothing for the GC
 * to free. {@link #close} frees them all, once no send is in flight. Loop thread only.
 */
final class SendBuffers {
    private final Arena arena = Arena.ofShared();
    private final Slots slots = new Slots(64, true);
    private final int size;
    private CompletionStream[] owners = new CompletionStream[64];
    private MemorySegment[] segments = new MemorySegment[64];
    private ByteBuffer[] views = new ByteBuffer[64];
    private int inFlight;
    private boolean closed;

    /** {@code size}: bytes one stream may have taken but not yet seen sent ({@code pollen.uring.send.buffer}). */
    SendBuffers(int size) {
        this.size = size;
    }

    int size() {
        return size;
    }

    /** A free slot (and its buffer) for {@code owner}. */
    int take(CompletionStream owner) {
        int i = slots.allocate(0, 0);
        if (i >= owners.length) {
            int n = Math.max(owners.length * 2, i + 1);
            owners = Arrays.copyOf(owners, n);
            segments = Arrays.copyOf(segments, n);
            views = Arrays.copyOf(views, n);
        }
        if (segments[i] == null) {
            segments[i] = arena.allocate(size, 64);
            views[i] = segments[i].asByteBuffer();
        }
        owners[i] = owner;
        return i;
    }

    /** Gives slot {@code i} back; its user data is stale from now on. */
    void release(int i) {
        owners[i] = null;
        slots.close(i);
    }

    MemorySegment segment(int i) {
        return segments[i];
    }

    ByteBuffer view(int i) {
        return views[i];
    }

    /** The user data of slot {@code i}'s sends (without the driver's kind bits). */
    long userData(int i) {
        return slots.userData(i);
    }

    /** The slot a send's user data (kind bits stripped) belongs to, or -1 if stale. */
    int slot(long userData) {
        return slots.owner(userData);
    }

    CompletionStream owner(int i) {
        return owners[i];
    }

    void sent() {
        inFlight++;
    }

    void completed() {
        inFlight--;
    }

    /** Sends submitted whose completion has not arrived. */
    int inFlight() {
        return inFlight;
    }

    /** Slots held by streams (tests: none is left once every stream is gone). */
    int held() {
        return slots.live();
    }

    /**
     * Frees every buffer, unless a send is still in flight: then the memory is left to the process
     * (never freed under the kernel), which only a ring that could not drain causes. Idempotent.
     */
    void close() {
        if (closed || inFlight > 0) {
            return;
        }
        closed = true;
        arena.close();
    }
}
