package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wrapper conventions: errno named in the message, EAGAIN as a value, fds opened as asked. */
@Timeout(30)
class NativeErrorsTest {
    /** An fd number no process can have open (fd limits stay far below it). */
    private static int badFd() {
        return Integer.MAX_VALUE;
    }

    @Test
    void badFdIsEbadfWithNameNumberAndMessage() {
        NativeIOException e = assertThrows(NativeIOException.class, () -> Unistd.close(badFd()));
        assertEquals("close failed: EBADF (9) Bad file descriptor", e.getMessage());
        assertEquals("close", e.call());
        assertEquals(9, e.errno());
        assertEquals("EBADF", e.errnoName());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8);
            NativeIOException r = assertThrows(NativeIOException.class, () -> Unistd.read(badFd(), buf, 8));
            assertTrue(r.getMessage().startsWith("read failed: EBADF (9)"), r.getMessage());
            assertThrows(NativeIOException.class, () -> Net.send(badFd(), buf, 8, 0));
        }
        assertTrue(assertThrows(NativeIOException.class, () -> Net.getsockname(badFd()))
                .getMessage().startsWith("getsockname failed: EBADF"));
    }

    /** A socket error the table missed used to read "E?": every errno a socket call returns has its name. */
    @Test
    void sendOnAnUnconnectedUdpSocketIsEdestaddrreq() throws IOException {
        int fd = Net.socket(SocketAbi.CURRENT.AF_INET, SocketAbi.CURRENT.SOCK_DGRAM | SocketAbi.CURRENT.SOCK_NONBLOCK | SocketAbi.CURRENT.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8);
            NativeIOException e = assertThrows(NativeIOException.class, () -> Net.send(fd, buf, 8, 0));
            assertEquals("EDESTADDRREQ", e.errnoName(), e.getMessage());
        } finally {
            Unistd.close(fd);
        }
    }

    /** errnos 1..34 are numbered alike on Linux and the BSDs; each has its symbolic name. */
    @Test
    void theSharedLowErrnosAllHaveNames() {
        for (int errno = 1; errno <= 34; errno++) {
            assertTrue(Errno.name(errno).matches("E[A-Z0-9]+"), errno + " -> " + Errno.name(errno));
        }
    }

    @Test
    void notASocketIsEnotsock() throws IOException {
        int[] p = Unistd.pipe2(SocketAbi.CURRENT.O_CLOEXEC);
        try {
            NativeIOException e = assertThrows(NativeIOException.class, () -> Net.getsockname(p[0]));
            assertEquals("ENOTSOCK", e.errnoName());
        } finally {
            Unistd.close(p[0]);
            Unistd.close(p[1]);
        }
    }

    @Test
    void connectToAClosedPortIsEconnrefused() throws IOException {
        // A blocking socket, so that the refusal comes from connect itself rather than SO_ERROR.
        int probe = Net.socket(SocketAbi.CURRENT.AF_INET, SocketAbi.CURRENT.SOCK_STREAM | SocketAbi.CURRENT.SOCK_CLOEXEC, 0);
        int port;
        try {
            Net.bind(probe, SocketAbi.CURRENT.AF_INET, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            port = Net.getsockname(probe).getPort();
        } finally {
            Unistd.close(probe);   // bound but never listening: the port refuses
        }
        int fd = Net.socket(SocketAbi.CURRENT.AF_INET, SocketAbi.CURRENT.SOCK_STREAM | SocketAbi.CURRENT.SOCK_CLOEXEC, 0);
        try {
            NativeIOException e = assertThrows(NativeIOException.class,
                    () -> Net.connect(fd, SocketAbi.CURRENT.AF_INET, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port)));
            assertEquals("connect failed: ECONNREFUSED (111) Connection refused", e.getMessage());
        } finally {
            Unistd.close(fd);
        }
    }

    @Test
    void eagainIsAValueNotAnException() throws IOException {
        int[] p = Unistd.pipe2(SocketAbi.CURRENT.O_NONBLOCK | SocketAbi.CURRENT.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64 * 1024);
            assertEquals(Native.WOULD_BLOCK, Unistd.read(p[0], buf, 16), "empty pipe");
            long total = 0;
            long n;
            while ((n = Unistd.write(p[1], buf, buf.byteSize())) != Native.WOULD_BLOCK) {
                total += n;
            }
            assertTrue(total > 0, "the pipe filled up, then writes would block");
            assertEquals(0, Native.check(0, "x"));
            assertEquals(5, Native.check(5, "x"));
        } finally {
            Unistd.close(p[0]);
            Unistd.close(p[1]);
        }
    }

    @Test
    void pipesAndSocketsAreOpenedNonBlockingAndCloseOnExec() throws IOException {
        int[] p = Unistd.pipe2(SocketAbi.CURRENT.O_NONBLOCK | SocketAbi.CURRENT.O_CLOEXEC);
        int s = Net.socket(SocketAbi.CURRENT.AF_INET6, SocketAbi.CURRENT.SOCK_DGRAM | SocketAbi.CURRENT.SOCK_NONBLOCK | SocketAbi.CURRENT.SOCK_CLOEXEC, 0);
        try {
            for (int fd : new int[] {p[0], p[1], s}) {
                assertTrue((Unistd.fcntl(fd, SocketAbi.CURRENT.F_GETFL, 0) & SocketAbi.CURRENT.O_NONBLOCK) != 0);
                assertEquals(SocketAbi.CURRENT.FD_CLOEXEC, Unistd.fcntl(fd, SocketAbi.CURRENT.F_GETFD, 0) & SocketAbi.CURRENT.FD_CLOEXEC);
            }
            Unistd.fcntl(p[0], SocketAbi.CURRENT.F_SETFL, 0);
            assertEquals(0, Unistd.fcntl(p[0], SocketAbi.CURRENT.F_GETFL, 0) & SocketAbi.CURRENT.O_NONBLOCK, "fcntl F_SETFL took effect");
        } finally {
            Unistd.close(p[0]);
            Unistd.close(p[1]);
            Unistd.close(s);
        }
    }

    @Test
    void vectoredPipeIo() throws IOException {
        int[] p = Unistd.pipe2(SocketAbi.CURRENT.O_NONBLOCK | SocketAbi.CURRENT.O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocateFrom("ab");   // 3 bytes with the NUL
            MemorySegment b = arena.allocateFrom("cd");
            MemorySegment iov = arena.allocate(IoVec.IOVEC, 2);
            IoVec.set(iov, 0, a, 2);
            IoVec.set(iov, 1, b, 2);
            assertEquals(4, Unistd.writev(p[1], iov, 2));
            MemorySegment x = arena.allocate(1);
            MemorySegment y = arena.allocate(8);
            IoVec.set(iov, 0, x, 1);
            IoVec.set(iov, 1, y, 8);
            assertEquals(4, Unistd.readv(p[0], iov, 2));
            assertEquals((byte) 'a', x.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertEquals("bcd", new String(y.asSlice(0, 3).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        } finally {
            Unistd.close(p[0]);
            Unistd.close(p[1]);
        }
    }

    @Test
    void errnoTableNamesWhatItKnows() {
        assertEquals("EAGAIN", Errno.name(Errno.EAGAIN));
        assertEquals("E?", Errno.name(4095));
        assertEquals("Connection refused", Native.strerror(Errno.ECONNREFUSED));
    }
}
