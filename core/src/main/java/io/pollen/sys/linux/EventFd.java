package io.pollen.sys.linux;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.Unistd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Linux eventfd, {@code <sys/eventfd.h>}:
 *
 * <pre>
 * int eventfd(unsigned int initval, int flags);
 * </pre>
 *
 * <p>An eventfd holds a 64-bit counter: an 8-byte {@code write} adds to it (failing with EAGAIN
 * once it would exceed {@code 0xfffffffffffffffe}), an 8-byte {@code read} returns and zeroes it.
 * It is readable while the counter is non-zero. Read and write it with
 * {@link io.pollen.sys.unix.Unistd}.
 */
public final class EventFd {
    private EventFd() {
    }

    public static final int EFD_SEMAPHORE = 0x1;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    private static final MethodHandle EVENTFD = Native.criticalErrnoHandle("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    /** The 8-byte value {@link #signal} writes; shared and never modified. */
    private static final MemorySegment ONE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L);

    /**
     * Adds 1 to the counter of non-blocking eventfd {@code fd}: one wake-up of whoever polls it
     * (edge-triggered watchers see every write; nothing needs to read it back). Should the counter
     * ever saturate (after 2<sup>64</sup>-2 writes, EAGAIN), it is read back to zero and the write
     * repeated.
     */
    public static void signal(int fd) throws NativeIOException {
        if (Unistd.write(fd, ONE, 8) == Native.WOULD_BLOCK) {
            Unistd.read(fd, Scratch.get().small, 8);
            Unistd.write(fd, ONE, 8);
        }
    }

    /** eventfd(2): a new eventfd with counter {@code initval}. */
    public static int eventfd(int initval, int flags) throws NativeIOException {
        try {
            return Native.checkStrict((int) EVENTFD.invokeExact(Native.errnoSegment(), initval, flags), "eventfd");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
