package io.pollen.sys.unix;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Peer credentials as each OS gives them. This OS's own way through {@link PeerCreds#of}; and the
 * BSD way, {@code getpeereid}, for real on Linux through libbsd's (which wraps {@code SO_PEERCRED}),
 * skipped with the reason where libbsd is not installed.
 */
class PeerCredsTest {
    private static Optional<MethodHandle> libbsdGetpeereid() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            Path lib = Path.of(dir, "libbsd.so.0");
            if (Files.exists(lib)) {
                return SymbolLookup.libraryLookup(lib, Arena.global()).find("getpeereid").map(PeerCreds::bind);
            }
        }
        return Optional.empty();
    }

    @Test
    void thisOsGivesTheProcessOwnIds() throws IOException {
        int[] sv = FdOpen.socketpair(SocketAbi.CURRENT.SOCK_STREAM);
        try {
            long[] c = PeerCreds.of(sv[0]);
            if (SocketAbi.CURRENT != SocketAbi.FREEBSD) {
                assertEquals(ProcessHandle.current().pid(), c[0], "the pair's creator is this process");
            }
            assertArrayEquals(PeerCreds.of(sv[1]), c, "both ends were made by one process");
        } finally {
            Unistd.close(sv[0]);
            Unistd.close(sv[1]);
        }
    }

    @Test
    void getpeereidAgreesWithSoPeercred() throws IOException {
        Optional<MethodHandle> h = libbsdGetpeereid();
        assumeTrue(h.isPresent(), "getpeereid: skipped — no libbsd.so.0 on this machine (apt-get install libbsd0)");
        int[] sv = FdOpen.socketpair(SocketAbi.CURRENT.SOCK_STREAM);
        try {
            long[] bsd = PeerCreds.getpeereid(h.get(), sv[0]);
            long[] own = PeerCreds.of(sv[0]);
            assertEquals(-1, bsd[0], "getpeereid gives no pid");
            assertEquals(own[1], bsd[1], "euid");
            assertEquals(own[2], bsd[2], "egid");
        } finally {
            Unistd.close(sv[0]);
            Unistd.close(sv[1]);
        }
    }

    @Test
    void getpeereidNamesItsErrors() throws IOException {
        Optional<MethodHandle> h = libbsdGetpeereid();
        assumeTrue(h.isPresent(), "getpeereid: skipped — no libbsd.so.0 on this machine");
        int[] p = FdOpen.pipe();
        try {
            var e = assertThrows(io.pollen.sys.NativeIOException.class, () -> PeerCreds.getpeereid(h.get(), p[0]));
            assertEquals("getpeereid", e.call());
            assertEquals("ENOTSOCK", e.errnoName(), e.getMessage());
        } finally {
            Unistd.close(p[0]);
            Unistd.close(p[1]);
        }
    }
}
