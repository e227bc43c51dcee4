package io.pollen.sys.linux;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Native;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Memory mappings, {@code <sys/mman.h>} (Linux values, the same on x86_64 and aarch64):
 *
 * <pre>
 * void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
 * int munmap(void *addr, size_t length);
 * </pre>
 *
 * <p>Used to map io_uring's rings and buffer rings; a mapping is unmapped exactly once by its owner.
 */
public final class Mman {
    private Mman() {
    }

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    /** Pre-fault the pages (Linux only): the ring is touched at once anyway. */
    public static final int MAP_POPULATE = 0x8000;

    private static final MethodHandle MMAP = Native.errnoHandle("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.errnoHandle("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    /** {@code MAP_FAILED}, {@code (void *) -1}. */
    private static final long MAP_FAILED = -1L;

    /**
     * mmap(2) of {@code length} bytes of {@code fd} at {@code offset}, at an address of the kernel's
     * choosing: a segment of exactly {@code length} bytes (not tied to any arena: free it with
     * {@link #munmap}).
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) throws NativeIOException {
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(Native.errnoSegment(), MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (p.address() == MAP_FAILED) {
            throw Native.fail("mmap");
        }
        return p.reinterpret(length);
    }

    /** munmap(2) of a whole segment returned by {@link #mmap}. */
    public static void munmap(MemorySegment mapping) throws NativeIOException {
        try {
            Native.checkStrict((int) MUNMAP.invokeExact(Native.errnoSegment(), mapping, mapping.byteSize()), "munmap");
        } catch (NativeIOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
