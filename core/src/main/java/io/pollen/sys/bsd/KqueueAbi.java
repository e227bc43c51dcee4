package io.pollen.sys.bsd;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.Locale;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kqueue ABIs Pollen knows, each with its {@code struct kevent} and the constants that differ;
 * {@link #select} is the one place that picks one. 64-bit platforms only.
 *
 * <pre>
 * // macOS (x86_64, arm64; &lt;sys/event.h&gt;, #pragma pack(4) changes nothing on LP64) and
 * // libkqueue on 64-bit Linux (include/sys/event.h.in): 32 bytes
 * struct kevent {
 *     uintptr_t ident;    //  0
 *     int16_t   filter;   //  8
 *     uint16_t  flags;    // 10
 *     uint32_t  fflags;   // 12
 *     intptr_t  data;     // 16
 *     void     *udata;    // 24
 * };
 * // FreeBSD 12 and later: data is int64_t, and 4 extension words follow: 64 bytes
 * struct kevent { ...as above...; uint64_t ext[4]; /&#42; 32 &#42;/ };
 * </pre>
 *
 * <p>Of the constants Pollen uses, only {@code EVFILT_USER} differs: -10 on macOS, -11 on FreeBSD
 * and in libkqueue. The others are alike in all three headers (see {@link KQueue}).
 */
public enum KqueueAbi {
    /** macOS: 32-byte kevent, {@code EVFILT_USER = -10}. */
    MACOS("macos", false, (short) -10),
    /** FreeBSD 12+: 64-byte kevent (with {@code ext[4]}), {@code EVFILT_USER = -11}. */
    FREEBSD("freebsd", true, (short) -11),
    /** libkqueue (userspace kqueue over epoll) on 64-bit Linux: 32-byte kevent, {@code EVFILT_USER = -11}. */
    LIBKQUEUE("libkqueue", false, (short) -11);

    private final String id;
    /** {@code struct kevent} of this ABI. */
    public final StructLayout kevent;
    /** {@code sizeof(struct kevent)}. */
    public final long size;
    /** {@code EVFILT_USER}. */
    public final short evfiltUser;

    KqueueAbi(String id, boolean ext, short evfiltUser) {
        this.id = id;
        this.evfiltUser = evfiltUser;
        MemoryLayout[] common = {
            JAVA_LONG.withName("ident"),
            JAVA_SHORT.withName("filter"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("fflags"),
            JAVA_LONG.withName("data"),
            ADDRESS.withName("udata")};
        this.kevent = ext
                ? MemoryLayout.structLayout(common[0], common[1], common[2], common[3], common[4], common[5],
                        MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("ext"))
                : MemoryLayout.structLayout(common);
        this.size = kevent.byteSize();
    }

    /** The name used by {@code -Dpollen.kqueue.abi}. */
    public String id() {
        return id;
    }

    /** The byte offset of field {@code name} in {@link #kevent}. */
    public long offset(String name) {
        return kevent.byteOffset(groupElement(name));
    }

    /**
     * The ABI to use: {@code -Dpollen.kqueue.abi=macos|freebsd|libkqueue} if set; otherwise by OS
     * (macOS, FreeBSD; Linux, where only a libkqueue library can provide kqueue, is libkqueue).
     * Null when no profile fits (another OS, no override).
     */
    public static KqueueAbi select(String property, String osName) {
        if (property != null && !property.isBlank()) {
            return byName(property);
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return MACOS;
        }
        if (os.contains("freebsd")) {
            return FREEBSD;
        }
        if (os.contains("linux")) {
            return LIBKQUEUE;
        }
        return null;
    }

    /** Parses {@code macos}, {@code freebsd} or {@code libkqueue} (any case). */
    public static KqueueAbi byName(String name) {
        for (KqueueAbi abi : values()) {
            if (abi.id.equalsIgnoreCase(name.trim())) {
                return abi;
            }
        }
        throw new IllegalArgumentException("unknown kqueue ABI '" + name + "': expected macos, freebsd or libkqueue");
    }
}
