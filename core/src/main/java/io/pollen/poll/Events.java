package io.pollen.poll;

import io.pollen.poll.spi.Ready;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A reusable buffer of readiness events, filled by {@link Poll#poll}.
 *
 * <p>Allocate one per polling thread and reuse it: polling and iterating allocate nothing. Read it
 * through the flat accessors ({@link #token(int)}, {@link #isReadable(int)}, ...) or by iterating,
 * which hands out one reused {@link Event} cursor. Not thread-safe; an {@code Events} belongs to
 * the thread that polls.
 */
public final class Events implements Iterable<Event> {
    final long[] tokens;
    final int[] flags;
    int size;
    private final Cursor cursor = new Cursor();

    private Events(int capacity) {
        tokens = new long[capacity];
        flags = new int[capacity];
    }

    /**
     * A buffer for up to {@code capacity} events per poll. When more sources are ready, the rest are
     * reported by the next poll (the kernel rotates through them fairly).
     */
    public static Events withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        return new Events(capacity);
    }

    public int capacity() {
        return tokens.length;
    }

    /** How many events the last poll returned. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }

    public long token(int i) {
        return tokens[check(i)];
    }

    public boolean isReadable(int i) {
        return (flags[check(i)] & Ready.READABLE) != 0;
    }

    public boolean isWritable(int i) {
        return (flags[check(i)] & Ready.WRITABLE) != 0;
    }

    public boolean isError(int i) {
        return (flags[check(i)] & Ready.ERROR) != 0;
    }

    public boolean isReadClosed(int i) {
        return (flags[check(i)] & Ready.READ_CLOSED) != 0;
    }

    public boolean isWriteClosed(int i) {
        return (flags[check(i)] & Ready.WRITE_CLOSED) != 0;
    }

    public boolean isPriority(int i) {
        return (flags[check(i)] & Ready.PRIORITY) != 0;
    }

    int flags(int i) {
        return flags[check(i)];
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("event " + i + " of " + size);
        }
        return i;
    }

    /** Iterates with one reused iterator and one reused {@link Event}; see the class docs. */
    @Override
    public Iterator<Event> iterator() {
        cursor.next = 0;
        return cursor;
    }

    private final class Cursor implements Iterator<Event> {
        final Event event = new Event(Events.this);
        int next;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Event next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            event.index = next++;
            return event;
        }
    }
}
