package io.pollen.poll.uring;

import java.util.function.Function;

/**
 * The sizes of an event loop's io_uring driver ({@link UringDriver}), from the {@code pollen.uring.*}
 * system properties, read once per process (the first loop that opens on io_uring), each checked:
 * a value outside its range is refused with an {@link IllegalArgumentException} naming the
 * property, the value and what is allowed, and no driver opens. Unset properties take the defaults.
 *
 * <table>
 *   <caption>The properties</caption>
 *   <tr><th>property</th><th>default</th><th>allowed</th><th>what it sizes</th></tr>
 *   <tr><td>{@code pollen.uring.entries}</td><td>256</td><td>power of two, 1..32768</td>
 *       <td>submission queue entries (a fuller queue is submitted early, not refused)</td></tr>
 *   <tr><td>{@code pollen.uring.cq.entries}</td><td>max(4096, 2 &times; entries), at most 65536</td>
 *       <td>power of two, entries..65536</td>
 *       <td>completion queue entries (an overflow is flushed back, not lost, but costs a system call)</td></tr>
 *   <tr><td>{@code pollen.uring.buffers}</td><td>256</td><td>power of two, 1..32768</td>
 *       <td>provided receive buffers per loop (the kernel wants a power of two)</td></tr>
 *   <tr><td>{@code pollen.uring.buffer.size}</td><td>16384</td><td>256..1048576 bytes; buffers &times;
 *       size at most 1 GiB</td><td>bytes per provided buffer (one recv completion fills at most one)</td></tr>
 *   <tr><td>{@code pollen.uring.stream.buffers}</td><td>max(2, buffers / 8), at most buffers</td>
 *       <td>1..buffers</td><td>provided buffers one stream may hold unread before its recv pauses</td></tr>
 *   <tr><td>{@code pollen.uring.send.buffer}</td><td>65536</td><td>1024..67108864 bytes</td>
 *       <td>a stream's native send buffer: what writes take before they return 0</td></tr>
 * </table>
 *
 * <p>Not covered: the readiness-only {@code Poll} backend on io_uring ({@link UringSelector}) keeps
 * its own ring sizes.
 */
record UringConfig(int entries, int cqEntries, int buffers, int bufferSize, int streamBuffers, int sendBuffer) {
    static final String ENTRIES = "pollen.uring.entries";
    static final String CQ_ENTRIES = "pollen.uring.cq.entries";
    static final String BUFFERS = "pollen.uring.buffers";
    static final String BUFFER_SIZE = "pollen.uring.buffer.size";
    static final String STREAM_BUFFERS = "pollen.uring.stream.buffers";
    static final String SEND_BUFFER = "pollen.uring.send.buffer";

    /** The kernel's limits: {@code IORING_MAX_ENTRIES}, {@code IORING_MAX_CQ_ENTRIES}, a buffer ring's. */
    static final int MAX_ENTRIES = 32768;
    static final int MAX_CQ_ENTRIES = 65536;
    static final int MAX_BUFFERS = 32768;
    static final long MAX_BUFFER_BYTES = 1L << 30;

    private static UringConfig system;

    /** Checks every size ({@link #check}). */
    UringConfig {
        check(entries, cqEntries, buffers, bufferSize, streamBuffers, sendBuffer);
    }

    /** Refuses a size out of its range: the message names the property, the value and the range. */
    static void check(long entries, long cqEntries, long buffers, long bufferSize, long streamBuffers, long sendBuffer) {
        powerOfTwo(ENTRIES, entries, 1, MAX_ENTRIES);
        powerOfTwo(CQ_ENTRIES, cqEntries, entries, MAX_CQ_ENTRIES);
        powerOfTwo(BUFFERS, buffers, 1, MAX_BUFFERS);
        range(BUFFER_SIZE, bufferSize, 256, 1 << 20, "");
        if (buffers * bufferSize > MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException(BUFFERS + " * " + BUFFER_SIZE + " = " + buffers + " * "
                    + bufferSize + " = " + buffers * bufferSize + " bytes is invalid: at most 1 GiB of receive buffers per loop");
        }
        range(STREAM_BUFFERS, streamBuffers, 1, buffers, " (" + BUFFERS + ")");
        range(SEND_BUFFER, sendBuffer, 1024, 64 << 20, "");
    }

    /** The defaults, with {@code entries} SQEs and {@code buffers} of {@code bufferSize} (tests). */
    static UringConfig of(int entries, int cqEntries, int buffers, int bufferSize) {
        return new UringConfig(entries, cqEntries, buffers, bufferSize, defaultShare(buffers), 64 * 1024);
    }

    /** The sizes from the system properties, parsed and checked on the first call, kept after. */
    static synchronized UringConfig system() {
        if (system == null) {
            system = parse(System::getProperty);
        }
        return system;
    }

    /** The sizes from {@code properties} (a property's value, or null when unset). */
    static UringConfig parse(Function<String, String> properties) {
        long entries = value(properties, ENTRIES, 256);
        long cq = value(properties, CQ_ENTRIES, Math.min(MAX_CQ_ENTRIES, Math.max(4096, 2 * entries)));
        long buffers = value(properties, BUFFERS, 256);
        long size = value(properties, BUFFER_SIZE, 16 * 1024);
        long share = value(properties, STREAM_BUFFERS, defaultShare((int) Math.min(buffers, MAX_BUFFERS)));
        long send = value(properties, SEND_BUFFER, 64 * 1024);
        check(entries, cq, buffers, size, share, send);   // before narrowing: 2^40 is refused, not wrapped
        return new UringConfig((int) entries, (int) cq, (int) buffers, (int) size, (int) share, (int) send);
    }

    /** An eighth of the ring, at least 2 (and at most all of it): one unread stream cannot starve the others. */
    static int defaultShare(int buffers) {
        return Math.max(1, Math.min(buffers, Math.max(2, buffers / 8)));
    }

    private static long value(Function<String, String> properties, String name, long otherwise) {
        String v = properties.apply(name);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + v + " is invalid: not a whole number", e);
        }
    }

    private static void powerOfTwo(String name, long v, long min, long max) {
        if (v < min || v > max || Long.bitCount(v) != 1) {
            throw new IllegalArgumentException("-D" + name + "=" + v + " is invalid: a power of two from " + min
                    + " to " + max + " is allowed");
        }
    }

    private static void range(String name, long v, long min, long max, String maxFrom) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("-D" + name + "=" + v + " is invalid: " + min + " to " + max + maxFrom
                    + " is allowed");
        }
    }
}
