package io.pollen.runtime;

import io.pollen.poll.spi.Ready;

/**
 * Tests the readiness bits handed to {@link ReadyHandler#ready} and kept by
 * {@link Registration#readiness()}. They are the very {@code int} the backend wrote (its SPI's
 * {@code Ready} bits, passed through the driver unchanged, never re-encoded): readable,
 * writable, error, read-closed, write-closed and priority. Error and the closed bits are reported
 * whatever the interest; the nio backend reports neither and shows them as readable/writable, so
 * that the next read or write tells the truth (see {@link io.pollen.poll.Event}).
 */
public final class Readiness {
    private Readiness() {
    }

    public static final int READABLE = Ready.READABLE;
    public static final int WRITABLE = Ready.WRITABLE;
    public static final int ERROR = Ready.ERROR;
    public static final int READ_CLOSED = Ready.READ_CLOSED;
    public static final int WRITE_CLOSED = Ready.WRITE_CLOSED;
    public static final int PRIORITY = Ready.PRIORITY;

    /** Everything that should wake a reader: data, end of stream, an error. */
    public static final int ANY_READ = READABLE | READ_CLOSED | ERROR;
    /** Everything that should wake a writer: space, a closed write half, an error. */
    public static final int ANY_WRITE = WRITABLE | WRITE_CLOSED | ERROR;

    public static boolean isReadable(int flags) {
        return (flags & READABLE) != 0;
    }

    public static boolean isWritable(int flags) {
        return (flags & WRITABLE) != 0;
    }

    public static boolean isError(int flags) {
        return (flags & ERROR) != 0;
    }

    public static boolean isReadClosed(int flags) {
        return (flags & READ_CLOSED) != 0;
    }

    public static boolean isWriteClosed(int flags) {
        return (flags & WRITE_CLOSED) != 0;
    }

    public static boolean isPriority(int flags) {
        return (flags & PRIORITY) != 0;
    }

    /** A readable description such as {@code READABLE|WRITABLE}, for logs and test messages. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"READABLE", "WRITABLE", "ERROR", "READ_CLOSED", "WRITE_CLOSED", "PRIORITY"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return sb.isEmpty() ? "NONE" : sb.toString();
    }
}
