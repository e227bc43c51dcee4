package io.pollen.sys.unix;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every constant of every {@link SocketAbi} profile pinned against the value in the platform's own
 * header, with the header named: Linux's uapi {@code asm-generic/socket.h}, {@code linux/socket.h},
 * {@code linux/in.h}, {@code linux/in6.h}, {@code asm-generic/fcntl.h}, {@code linux/un.h}; Apple's
 * XNU {@code bsd/sys/socket.h}, {@code bsd/sys/un.h}, {@code bsd/netinet/in.h},
 * {@code bsd/netinet6/in6.h}, {@code bsd/sys/fcntl.h}; FreeBSD's {@code sys/sys/socket.h},
 * {@code sys/sys/un.h}, {@code sys/netinet/in.h}, {@code sys/netinet6/in6.h},
 * {@code sys/sys/fcntl.h} (cross-checked with the {@code libc} crate's per-OS modules). A field
 * added to the profile without a row here fails {@link #everyFieldIsPinned}.
 */
class SocketAbiTest {
    /** name → {Linux, macOS, FreeBSD, header}; "-" marks a constant the OS has not (0 in the profile). */
    private static final Map<String, Object[]> PINS = new LinkedHashMap<>();

    private static void pin(String name, int linux, int macos, int freebsd, String header) {
        PINS.put(name, new Object[] {linux, macos, freebsd, header});
    }

    static {
        pin("AF_UNIX", 1, 1, 1, "sys/socket.h (AF_LOCAL)");
        pin("AF_INET", 2, 2, 2, "sys/socket.h");
        pin("AF_INET6", 10, 30, 28, "sys/socket.h");
        pin("SOCK_STREAM", 1, 1, 1, "sys/socket.h");
        pin("SOCK_DGRAM", 2, 2, 2, "sys/socket.h");
        pin("SOCK_NONBLOCK", 0x800, 0, 0x20000000, "linux/net.h (O_NONBLOCK) / - / sys/socket.h");
        pin("SOCK_CLOEXEC", 0x80000, 0, 0x10000000, "linux/net.h (O_CLOEXEC) / - / sys/socket.h");
        pin("SOL_SOCKET", 1, 0xffff, 0xffff, "asm-generic/socket.h / sys/socket.h");
        pin("SO_REUSEADDR", 2, 0x4, 0x4, "asm-generic/socket.h / sys/socket.h");
        pin("SO_KEEPALIVE", 9, 0x8, 0x8, "asm-generic/socket.h / sys/socket.h");
        pin("SO_BROADCAST", 6, 0x20, 0x20, "asm-generic/socket.h / sys/socket.h");
        pin("SO_REUSEPORT", 15, 0x200, 0x200, "asm-generic/socket.h / sys/socket.h");
        pin("SO_SNDBUF", 7, 0x1001, 0x1001, "asm-generic/socket.h / sys/socket.h");
        pin("SO_RCVBUF", 8, 0x1002, 0x1002, "asm-generic/socket.h / sys/socket.h");
        pin("SO_ERROR", 4, 0x1007, 0x1007, "asm-generic/socket.h / sys/socket.h");
        pin("SO_LINGER_SEC", 13, 0x1080, 0x80, "SO_LINGER / SO_LINGER_SEC (SO_LINGER is in ticks) / SO_LINGER");
        pin("SO_NOSIGPIPE", 0, 0x1022, 0x800, "- / sys/socket.h / sys/socket.h");
        pin("SO_PEERCRED", 17, 0, 0, "asm-generic/socket.h / - / -");
        pin("SOL_LOCAL", -1, 0, 0, "- / sys/un.h / sys/un.h");
        pin("LOCAL_PEERPID", 0, 0x2, 0, "- / sys/un.h / -");
        pin("IPPROTO_IP", 0, 0, 0, "netinet/in.h");
        pin("IPPROTO_TCP", 6, 6, 6, "netinet/in.h");
        pin("IPPROTO_UDP", 17, 17, 17, "netinet/in.h");
        pin("IPPROTO_IPV6", 41, 41, 41, "netinet/in.h");
        pin("TCP_NODELAY", 1, 1, 1, "netinet/tcp.h");
        pin("IP_TTL", 2, 4, 4, "linux/in.h / netinet/in.h");
        pin("IPV6_UNICAST_HOPS", 16, 4, 4, "linux/in6.h / netinet6/in6.h");
        pin("IPV6_V6ONLY", 26, 27, 27, "linux/in6.h / netinet6/in6.h");
        pin("MSG_PEEK", 0x2, 0x2, 0x2, "sys/socket.h");
        pin("MSG_TRUNC", 0x20, 0x10, 0x10, "linux/socket.h / sys/socket.h");
        pin("MSG_NOSIGNAL", 0x4000, 0, 0x20000, "linux/socket.h / not used (SO_NOSIGPIPE) / sys/socket.h");
        pin("SHUT_RD", 0, 0, 0, "sys/socket.h");
        pin("SHUT_WR", 1, 1, 1, "sys/socket.h");
        pin("SHUT_RDWR", 2, 2, 2, "sys/socket.h");
        pin("O_NONBLOCK", 0x800, 0x4, 0x4, "asm-generic/fcntl.h (04000) / sys/fcntl.h");
        pin("O_CLOEXEC", 0x80000, 0x1000000, 0x100000, "asm-generic/fcntl.h (02000000) / sys/fcntl.h / sys/fcntl.h");
        pin("F_GETFD", 1, 1, 1, "fcntl.h");
        pin("F_SETFD", 2, 2, 2, "fcntl.h");
        pin("F_GETFL", 3, 3, 3, "fcntl.h");
        pin("F_SETFL", 4, 4, 4, "fcntl.h");
        pin("FD_CLOEXEC", 1, 1, 1, "fcntl.h");
        pin("IOV_MAX", 1024, 1024, 1024, "UIO_MAXIOV (linux/uio.h) / sys/uio.h / sys/uio.h");
        pin("SUN_PATH_SIZE", 108, 104, 104, "sizeof sun_path: linux/un.h UNIX_PATH_MAX / sys/un.h / sys/un.h");
        pin("sinLen", 0, 1, 1, "sockaddr_in has sin_len: netinet/in.h");
        pin("abstractNames", 1, 0, 0, "unix(7) abstract namespace: Linux only");
        pin("accept4", 1, 0, 1, "accept4(2), pipe2(2): glibc / none / FreeBSD 10+");
    }

    private static List<Field> fields() {
        List<Field> out = new ArrayList<>();
        for (Field f : SocketAbi.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && !Modifier.isStatic(m) && (f.getType() == int.class || f.getType() == boolean.class)) {
                out.add(f);
            }
        }
        return out;
    }

    private static int value(Field f, SocketAbi abi) throws IllegalAccessException {
        return f.getType() == boolean.class ? (f.getBoolean(abi) ? 1 : 0) : f.getInt(abi);
    }

    @Test
    void everyConstantMatchesItsHeader() throws IllegalAccessException {
        for (Field f : fields()) {
            Object[] pin = PINS.get(f.getName());
            if (pin == null) {
                continue; // reported by everyFieldIsPinned
            }
            for (SocketAbi abi : SocketAbi.values()) {
                assertEquals((int) pin[abi.ordinal()], value(f, abi), abi.id() + " " + f.getName() + " (" + pin[3] + ")");
            }
        }
    }

    @Test
    void everyFieldIsPinned() {
        TreeSet<String> fields = new TreeSet<>();
        fields().forEach(f -> fields.add(f.getName()));
        assertEquals(new TreeSet<>(PINS.keySet()), fields, "SocketAbi fields and the pinned header values");
    }

    @Test
    void profileChosenPerOsName() {
        assertSame(SocketAbi.LINUX, SocketAbi.select("Linux"));
        assertSame(SocketAbi.MACOS, SocketAbi.select("Mac OS X"));
        assertSame(SocketAbi.MACOS, SocketAbi.select("Darwin"));
        assertSame(SocketAbi.FREEBSD, SocketAbi.select("FreeBSD"));
        assertNull(SocketAbi.select("Windows 11"));
        assertNull(SocketAbi.select("SunOS"));
        assertNull(SocketAbi.select("OpenBSD"), "no profile: its numbering is not pinned here");
        assertSame(SocketAbi.select(System.getProperty("os.name")), SocketAbi.CURRENT, "this JVM's profile");
        assertEquals(List.of("linux", "macos", "freebsd"),
                java.util.Arrays.stream(SocketAbi.values()).map(SocketAbi::id).toList());
    }

    @Test
    void whatEachProfileLacksIsSaid() {
        // macOS: no flags at birth, no accept4/pipe2, no MSG_NOSIGNAL: FdOpen takes the fcntl way and SO_NOSIGPIPE.
        assertEquals(0, SocketAbi.MACOS.SOCK_NONBLOCK | SocketAbi.MACOS.SOCK_CLOEXEC | SocketAbi.MACOS.MSG_NOSIGNAL);
        assertTrue(SocketAbi.MACOS.SO_NOSIGPIPE != 0 && !SocketAbi.MACOS.accept4);
        // Peer credentials: SO_PEERCRED only on Linux; a pid only through LOCAL_PEERPID on macOS.
        assertTrue(SocketAbi.LINUX.SO_PEERCRED != 0 && SocketAbi.FREEBSD.SO_PEERCRED == 0 && SocketAbi.FREEBSD.LOCAL_PEERPID == 0);
    }
}
