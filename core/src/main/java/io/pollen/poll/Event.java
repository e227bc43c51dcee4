package io.pollen.poll;

import io.pollen.poll.spi.Ready;

/**
 * One readiness event, seen through a cursor over an {@link Events} buffer.
 *
 * <p>An {@code Event} is a view, not a value: the object handed out by iterating {@link Events}
 * is reused for every event and is valid only until the iteration moves on or the next
 * {@link Poll#poll}. Copy what you need ({@link #token()}, the flags) before that.
 *
 * <p><b>What is guaranteed, and what is not</b> (mio's contract):
 * <ul>
 *   <li>Events are hints. A readable event means a read <i>may</i> succeed; the owner must still
 *       handle "would block". Spurious events are allowed.</li>
 *   <li>Readiness is edge-triggered: after an event, the owner drains the source (reads or writes
 *       until it would block) before expecting another event for the same readiness.</li>
 *   <li>One source may yield one combined event (readable and writable) or two separate ones in
 *       the same batch.</li>
 *   <li>{@link #isError()}, {@link #isReadClosed()}, {@link #isWriteClosed()} are reported whatever
 *       the interest. The nio backend cannot observe errors or half-closes directly: there they are
 *       reported as plain readable/writable, and the read or write that follows tells the truth.</li>
 * </ul>
 */
public final class Event {
    private final Events events;
    int index;

    Event(Events events) {
        this.events = events;
    }

    /** The value of the {@link Token} the source was registered with. */
    public long token() {
        return events.token(index);
    }

    /** Whether {@link #token()} equals {@code token.value()}. */
    public boolean is(Token token) {
        return token() == token.value();
    }

    public boolean isReadable() {
        return has(Ready.READABLE);
    }

    public boolean isWritable() {
        return has(Ready.WRITABLE);
    }

    /** The source has a pending error (e.g. a refused connect: read it with {@code takeError}). */
    public boolean isError() {
        return has(Ready.ERROR);
    }

    /** The read half is closed: the peer shut down its write side, or the connection is gone. */
    public boolean isReadClosed() {
        return has(Ready.READ_CLOSED);
    }

    /** The write half is closed: writes will fail (peer reset, or local shutdown of writes). */
    public boolean isWriteClosed() {
        return has(Ready.WRITE_CLOSED);
    }

    /** Priority (out-of-band) data is available; epoll only. */
    public boolean isPriority() {
        return has(Ready.PRIORITY);
    }

    private boolean has(int flag) {
        return (events.flags(index) & flag) != 0;
    }

    @Override
    public String toString() {
        return "Event{token=" + token() + ", readable=" + isReadable() + ", writable=" + isWritable()
                + ", error=" + isError() + ", readClosed=" + isReadClosed()
                + ", writeClosed=" + isWriteClosed() + ", priority=" + isPriority() + '}';
    }
}
