package io.pollen.runtime;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The timers of one {@link EventLoop}: a binary min-heap ordered by (deadline, sequence number).
 *
 * <p>Why a heap and not a hashed wheel: a wheel has O(1) insertion but rounds every deadline to
 * its tick, and Pollen promises sub-millisecond timers where the kernel allows
 * ({@code epoll_pwait2}). A heap keeps exact nanosecond deadlines, gives the next deadline in O(1)
 * for the poll timeout, and costs O(log n) per insertion and expiry. The sequence number makes
 * equal deadlines fire in scheduling order (FIFO). Cancellation is O(1) by lazy deletion: a
 * cancelled timer stays in the heap, marked, until it reaches the top; if cancelled entries ever
 * outnumber live ones (many long timeouts that were cancelled, e.g. per-request timeouts), the
 * heap is compacted in O(n), which amortises to O(1) per cancellation.
 *
 * <p>Loop thread only.
 */
final class TimerQueue {
    private TimerHandle[] heap = new TimerHandle[64];
    private int size;
    private int cancelledCount;
    private long nextSeq = 1;

    int size() {
        return size - cancelledCount;
    }

    void add(TimerHandle t) {
        if (t.cancelled) {
            return;
        }
        t.seq = nextSeq++;
        t.queued = true;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = t;
        siftUp(size++);
    }

    /** A queued timer was cancelled: count it, and compact when the dead outnumber the living. */
    void cancelled(TimerHandle t) {
        if (!t.queued || t.counted) {
            return;
        }
        t.counted = true;
        cancelledCount++;
        if (cancelledCount > 64 && cancelledCount * 2 > size) {
            compact();
        }
    }

    /**
     * Nanoseconds from {@code now} until the earliest live deadline, 0 if one is due, or -1 if
     * there is no timer.
     */
    long nanosUntilNext(long now) {
        dropCancelledHead();
        if (size == 0) {
            return -1;
        }
        long d = heap[0].deadline - now;
        return Math.max(0, d);
    }

    /**
     * Fires every timer due at {@code now}, in (deadline, FIFO) order. Intervals are re-queued
     * for their next period (from the previous deadline, so they do not drift), after this batch:
     * an interval shorter than one iteration fires once per iteration, not in a loop.
     *
     * @return how many fired
     */
    int fireExpired(long now, Consumer<TimerHandle> runner) {
        int fired = 0;
        TimerHandle again = null;
        TimerHandle[] repeat = null;
        int repeats = 0;
        while (true) {
            dropCancelledHead();
            if (size == 0 || heap[0].deadline - now > 0) {
                break;
            }
            TimerHandle t = poll();
            if (t.periodNanos > 0) {
                if (repeat == null) {
                    repeat = new TimerHandle[4];
                } else if (repeats == repeat.length) {
                    repeat = Arrays.copyOf(repeat, repeats * 2);
                }
                repeat[repeats++] = t;
            } else {
                t.done = true;
            }
            fired++;
            runner.accept(t);
        }
        for (int i = 0; i < repeats; i++) {
            TimerHandle t = repeat[i];
            if (!t.cancelled) {
                long next = t.deadline + t.periodNanos;
                // If the loop fell behind by more than a period, skip the missed ticks.
                t.deadline = next - now > 0 ? next : now + t.periodNanos;
                add(t);
            }
        }
        return fired;
    }

    /** Removes every timer (shutdown), handing each one still pending to {@code dropped}. */
    void clear(Consumer<TimerHandle> dropped) {
        for (int i = 0; i < size; i++) {
            TimerHandle t = heap[i];
            t.queued = false;
            heap[i] = null;
            if (!t.cancelled) {
                dropped.accept(t);
            }
        }
        size = 0;
        cancelledCount = 0;
    }

    private void dropCancelledHead() {
        while (size > 0 && heap[0].cancelled) {
            if (poll().counted) {
                cancelledCount--;
            }
        }
    }

    private TimerHandle poll() {
        TimerHandle top = heap[0];
        top.queued = false;
        size--;
        heap[0] = heap[size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0);
        }
        return top;
    }

    private void compact() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            TimerHandle t = heap[i];
            if (t.cancelled) {
                t.queued = false;
                t.counted = false;
            } else {
                heap[n++] = t;
            }
        }
        Arrays.fill(heap, n, size, null);
        size = n;
        cancelledCount = 0;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    private static boolean less(TimerHandle a, TimerHandle b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    private void siftUp(int i) {
        TimerHandle t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(t, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = t;
    }

    private void siftDown(int i) {
        TimerHandle t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(heap[right], heap[child])) {
                child = right;
            }
            if (!less(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = t;
    }
}
