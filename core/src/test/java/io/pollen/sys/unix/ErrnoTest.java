package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * errno names per {@link SocketAbi} profile, against Linux's {@code asm-generic/errno-base.h} and
 * {@code asm-generic/errno.h}, macOS's {@code bsd/sys/errno.h} and FreeBSD's {@code sys/sys/errno.h}:
 * the numbers that differ between them are where a wrong table would name the wrong error.
 */
class ErrnoTest {
    private static void names(String name, int linux, int macos, int freebsd) {
        assertEquals(name, Errno.name(SocketAbi.LINUX, linux), "Linux " + linux);
        assertEquals(name, Errno.name(SocketAbi.MACOS, macos), "macOS " + macos);
        assertEquals(name, Errno.name(SocketAbi.FREEBSD, freebsd), "FreeBSD " + freebsd);
    }

    @Test
    void socketErrorsPerProfile() {
        names("EAGAIN", 11, 35, 35);
        names("EINPROGRESS", 115, 36, 36);
        names("ECONNREFUSED", 111, 61, 61);
        names("ECONNRESET", 104, 54, 54);
        names("ECONNABORTED", 103, 53, 53);
        names("EADDRINUSE", 98, 48, 48);
        names("ENOTCONN", 107, 57, 57);
        names("EMSGSIZE", 90, 40, 40);
        names("ENOBUFS", 105, 55, 55);
        names("ETIMEDOUT", 110, 60, 60);
        names("EHOSTUNREACH", 113, 65, 65);
        names("ENAMETOOLONG", 36, 63, 63);
        names("ENOSYS", 38, 78, 78);
        // Alike everywhere below 35 (bar 11).
        names("EPIPE", 32, 32, 32);
        names("EMFILE", 24, 24, 24);
        names("ENOENT", 2, 2, 2);
    }

    @Test
    void whereTheBsdsDisagree() {
        names("EDEADLK", 35, 11, 11);
        names("ECANCELED", 125, 89, 85);
        names("EOPNOTSUPP", 95, 102, 45);   // FreeBSD: ENOTSUP is EOPNOTSUPP
        assertEquals("ENOTSUP", Errno.name(SocketAbi.MACOS, 45));
        assertEquals("ETIME", Errno.name(SocketAbi.MACOS, 101));
        assertEquals("ENETUNREACH", Errno.name(SocketAbi.LINUX, 101));
        assertEquals("E?", Errno.name(SocketAbi.FREEBSD, 101));
        assertEquals("E?", Errno.name(SocketAbi.LINUX, -1));
    }

    @Test
    void theFieldsAreThisOsNumbers() {
        SocketAbi abi = SocketAbi.CURRENT;
        assertEquals("EAGAIN", Errno.name(abi, Errno.EAGAIN));
        assertEquals("ECONNREFUSED", Errno.name(abi, Errno.ECONNREFUSED));
        assertEquals("ECANCELED", Errno.name(abi, Errno.ECANCELED));
        assertEquals(Errno.name(Errno.EPIPE), Errno.name(abi, Errno.EPIPE));
        NativeIOException e = Native.error("connect", Errno.ECONNREFUSED);
        assertEquals("ECONNREFUSED", e.errnoName());
        assertEquals("connect failed: ECONNREFUSED (" + Errno.ECONNREFUSED + ") " + Native.strerror(Errno.ECONNREFUSED),
                e.getMessage());
    }
}
