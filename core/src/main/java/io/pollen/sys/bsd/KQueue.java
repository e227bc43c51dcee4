package io.pollen.sys.bsd;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * kqueue, {@code <sys/event.h>}:
 *
 * <pre>
 * int kqueue(void);
 * int kevent(int kq, const struct kevent *changelist, int nchanges,
 *            struct kevent *eventlist, int nevents, const struct timespec *timeout);
 * </pre>
 *
 * <p>Where the functions come from: {@code -Dpollen.kqueue.library=PATH} (or the environment
 * variable {@code POLLEN_KQUEUE_LIBRARY}) loads them from that shared object, e.g. a libkqueue
 * build on Linux; otherwise, on macOS and FreeBSD, from the C library. The {@code struct kevent}
 * layout and {@code EVFILT_USER} come from {@link #ABI} ({@link KqueueAbi#select}). When neither
 * source exists, {@link #AVAILABLE} is false and {@link #unavailableReason()} says why; nothing
 * else here may then be called.
 *
 * <p>The constants below have the same values in Apple's and FreeBSD's {@code sys/event.h} and in
 * libkqueue's {@code include/sys/event.h.in} (checked against all three).
 * {@code kevent} with a zero timeout (registration, a non-blocking poll) is bound {@code critical};
 * with a timeout it never is (it blocks).
 */
public final class KQueue {
    private KQueue() {
    }

    public static final String LIBRARY_PROPERTY = "pollen.kqueue.library";
    public static final String LIBRARY_ENV = "POLLEN_KQUEUE_LIBRARY";
    public static final String ABI_PROPERTY = "pollen.kqueue.abi";

    public static final short EVFILT_READ = -1;
    public static final short EVFILT_WRITE = -2;

    public static final int EV_ADD = 0x0001;
    public static final int EV_DELETE = 0x0002;
    public static final int EV_CLEAR = 0x0020;
    public static final int EV_RECEIPT = 0x0040;
    public static final int EV_ERROR = 0x4000;
    public static final int EV_EOF = 0x8000;

    /** EVFILT_USER fflags: trigger the user event. */
    public static final int NOTE_TRIGGER = 0x0100_0000;

    private static final FunctionDescriptor KEVENT_FD =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);

    /** The ABI in use; null when kqueue is unavailable. */
    public static final KqueueAbi ABI;
    /** Whether kqueue can be used here. */
    public static final boolean AVAILABLE;
    private static final String REASON;
    private static final MethodHandle KQUEUE;
    private static final MethodHandle KEVENT;
    private static final MethodHandle KEVENT_NOW;
    private static final long IDENT, FILTER, FLAGS, FFLAGS, DATA, UDATA, SIZE;

    static {
        KqueueAbi abi = null;
        String reason = null;
        MethodHandle kq = null;
        MethodHandle kev = null;
        MethodHandle now = null;
        try {
            String library = library();
            abi = KqueueAbi.select(System.getProperty(ABI_PROPERTY), System.getProperty("os.name", ""));
            SymbolLookup lookup = lookup(library);
            if (!is64Bit()) {
                reason = "kqueue needs a 64-bit platform (os.arch=" + System.getProperty("os.arch") + ")";
            } else if (abi == null) {
                reason = "no kqueue ABI profile for " + System.getProperty("os.name") + ": set -D" + ABI_PROPERTY
                        + "=macos|freebsd|libkqueue";
            } else if (lookup == null) {
                reason = "no native kqueue on " + System.getProperty("os.name") + ": build libkqueue and set -D"
                        + LIBRARY_PROPERTY + "=PATH (or " + LIBRARY_ENV + ")";
            } else {
                Optional<MemorySegment> k = lookup.find("kqueue");
                Optional<MemorySegment> e = lookup.find("kevent");
                if (k.isEmpty() || e.isEmpty()) {
                    reason = (library != null ? library : "the C library") + " has no kqueue/kevent symbols";
                } else {
                    Linker.Option errno = Linker.Option.captureCallState("errno");
                    kq = Native.LINKER.downcallHandle(k.get(), FunctionDescriptor.of(JAVA_INT), errno);
                    kev = Native.LINKER.downcallHandle(e.get(), KEVENT_FD, errno);
                    now = Native.LINKER.downcallHandle(e.get(), KEVENT_FD, errno, Linker.Option.critical(false));
                }
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // An unloadable library (IllegalArgumentException from libraryLookup) or a bad ABI name.
            reason = e.getMessage();
        }
        AVAILABLE = reason == null;
        ABI = AVAILABLE ? abi : null;
        REASON = reason;
        KQUEUE = kq;
        KEVENT = kev;
        KEVENT_NOW = now;
        KqueueAbi layout = abi != null ? abi : KqueueAbi.MACOS;
        IDENT = layout.offset("ident");
        FILTER = layout.offset("filter");
        FLAGS = layout.offset("flags");
        FFLAGS = layout.offset("fflags");
        DATA = layout.offset("data");
        UDATA = layout.offset("udata");
        SIZE = layout.size;
    }

    /** Why kqueue is unavailable, or empty when it is available. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(REASON);
    }

    /** The library named by the property or the environment variable, or null for the C library. */
    public static String library() {
        String p = System.getProperty(LIBRARY_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(LIBRARY_ENV);
        }
        return p == null || p.isBlank() ? null : p.trim();
    }

    private static SymbolLookup lookup(String library) {
        if (library != null) {
            // Global arena: the library stays loaded for the life of the process, like libc.
            return SymbolLookup.libraryLookup(Path.of(library), Arena.global());
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.contains("mac") || os.contains("darwin") || os.contains("freebsd")
                ? Native.LINKER.defaultLookup() : null;
    }

    private static boolean is64Bit() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64") || arch.equals("arm64");
    }

    /**
     * Socket errors libkqueue consumed: to fill an event's {@code fflags} it reads
     * {@code SO_ERROR}, which clears it on Linux (native kqueue copies {@code so_error} without
     * clearing it). The kqueue backend records them here, per fd, and a socket's
     * {@code takeError} finds them when {@code SO_ERROR} has come back 0. Empty unless the ABI is
     * libkqueue; an entry lives until taken, or until the fd is deregistered.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, Integer> CONSUMED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Records that libkqueue consumed {@code errno} of socket {@code fd} (an EV_EOF's fflags). */
    public static void recordConsumedError(int fd, int errno) {
        CONSUMED.put(fd, errno);
    }

    /** The error libkqueue consumed for {@code fd}, removed; 0 if none (always 0 off libkqueue). */
    public static int takeConsumedError(int fd) {
        if (CONSUMED.isEmpty()) {
            return 0;
        }
        Integer errno = CONSUMED.remove(fd);
        return errno == null ? 0 : errno;
    }

    /** Drops what was recorded for {@code fd} (it left the kqueue: its number may be reused). */
    public static void forgetConsumedError(int fd) {
        if (!CONSUMED.isEmpty()) {
            CONSUMED.remove(fd);
        }
    }

    /** {@code sizeof(struct kevent)} of {@link #ABI}. */
    public static long eventSize() {
        return SIZE;
    }

    /** kqueue(2): a new kqueue fd. */
    public static int kqueue() throws NativeIOException {
        try {
            return Native.checkStrict((int) KQUEUE.invokeExact(Native.errnoSegment()), "kqueue");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * kevent(2). {@code timeout} {@link MemorySegment#NULL} blocks; {@code immediate} says the
     * timeout is zero (or there are only receipts to collect), so the call cannot block. Returns
     * the number of entries written to {@code events}; EINTR returns 0: the changes have all been
     * applied then (FreeBSD's kevent(2)), and a wait counts as a spurious wake-up.
     */
    public static int kevent(int kq, MemorySegment changes, int nchanges, MemorySegment events, int nevents,
                             MemorySegment timeout, boolean immediate) throws NativeIOException {
        int n;
        try {
            n = immediate
                    ? (int) KEVENT_NOW.invokeExact(Native.errnoSegment(), kq, changes, nchanges, events, nevents, timeout)
                    : (int) KEVENT.invokeExact(Native.errnoSegment(), kq, changes, nchanges, events, nevents, timeout);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (n >= 0 || Native.lastErrno() == Errno.EINTR) {
            return Math.max(n, 0);
        }
        throw Native.fail("kevent");
    }

    /** Fills entry {@code i} of a kevent array (EV_SET); FreeBSD's {@code ext} words are zeroed. */
    public static void set(MemorySegment array, int i, long ident, short filter, int flags, int fflags, long udata) {
        long base = i * SIZE;
        array.set(JAVA_LONG, base + IDENT, ident);
        array.set(JAVA_SHORT, base + FILTER, filter);
        array.set(JAVA_SHORT, base + FLAGS, (short) flags);
        array.set(JAVA_INT, base + FFLAGS, fflags);
        array.set(JAVA_LONG, base + DATA, 0L);
        array.set(JAVA_LONG, base + UDATA, udata);
        for (long ext = UDATA + 8; ext < SIZE; ext += 8) {
            array.set(JAVA_LONG, base + ext, 0L);
        }
    }

    public static long ident(MemorySegment array, int i) {
        return array.get(JAVA_LONG, i * SIZE + IDENT);
    }

    public static short filter(MemorySegment array, int i) {
        return array.get(JAVA_SHORT, i * SIZE + FILTER);
    }

    /** The flags, unsigned. */
    public static int flags(MemorySegment array, int i) {
        return array.get(JAVA_SHORT, i * SIZE + FLAGS) & 0xffff;
    }

    public static int fflags(MemorySegment array, int i) {
        return array.get(JAVA_INT, i * SIZE + FFLAGS);
    }

    public static long data(MemorySegment array, int i) {
        return array.get(JAVA_LONG, i * SIZE + DATA);
    }

    public static long udata(MemorySegment array, int i) {
        return array.get(JAVA_LONG, i * SIZE + UDATA);
    }
}
