package io.pollen.sys.linux;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Native;

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
