package io.pollen.sys.unix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct timespec { time_t tv_sec; long tv_nsec; }} on LP64 (Linux, macOS, FreeBSD alike:
 * 16 bytes), the nanosecond timeout of {@code epoll_pwait2} and {@code kevent}.
 */
public final class Timespec {
    private Timespec() {
    }

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /** Sets {@code ts} to {@code nanos} (>= 0). */
    public static void set(MemorySegment ts, long nanos) {
        ts.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
        ts.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
    }
}
