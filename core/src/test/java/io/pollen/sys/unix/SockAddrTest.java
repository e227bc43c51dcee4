package io.pollen.sys.unix;

import io.pollen.testing.Fds;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sockaddr codec: byte-exact layouts, round trips for IPv4, IPv6, scope ids, IPv4-mapped; and the kernel agreeing. */
class SockAddrTest {
    private static InetSocketAddress roundTrip(InetSocketAddress in, int family) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE_SIZE);
            SockAddr.encode(in, family, sa);
            return SockAddr.decode(sa);
        }
    }

    @Property(tries = 300)
    void ipv4RoundTrip(@ForAll @Size(4) byte[] ip, @ForAll @IntRange(max = 65535) int port) throws UnknownHostException {
        InetSocketAddress in = new InetSocketAddress(InetAddress.getByAddress(ip), port);
        assertEquals(in, roundTrip(in, SocketAbi.CURRENT.AF_INET));
        // The same address on an AF_INET6 socket goes IPv4-mapped and comes back as IPv4.
        assertEquals(in, roundTrip(in, SocketAbi.CURRENT.AF_INET6));
    }

    @Property(tries = 300)
    void ipv6RoundTrip(@ForAll @Size(16) byte[] ip, @ForAll @IntRange(max = 65535) int port,
                       @ForAll @IntRange(max = 1000) int scope) throws UnknownHostException {
        ip[10] = 0;   // not IPv4-mapped (covered above)
        InetAddress addr = scope == 0 ? Inet6Address.getByAddress(null, ip, -1) : Inet6Address.getByAddress(null, ip, scope);
        InetSocketAddress in = new InetSocketAddress(addr, port);
        InetSocketAddress out = roundTrip(in, SocketAbi.CURRENT.AF_INET6);
        assertEquals(in.getPort(), out.getPort());
        assertEquals(in.getAddress(), out.getAddress());
        if (scope != 0) {
            assertEquals(scope, ((Inet6Address) out.getAddress()).getScopeId());
        }
    }

    @Test
    void byteExactLayouts() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE_SIZE);
            int len = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1234), SocketAbi.CURRENT.AF_INET, sa);
            assertEquals(16, len);
            byte[] v4 = sa.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE);
            // family 2 (host order, little-endian here), port 0x1234 big-endian, address, zero padding
            assertEquals(java.util.Arrays.toString(new byte[] {2, 0, 0x12, 0x34, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}),
                    java.util.Arrays.toString(v4));
            len = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80), SocketAbi.CURRENT.AF_INET6, sa);
            assertEquals(28, len);
            byte[] v6 = sa.asSlice(0, 28).toArray(ValueLayout.JAVA_BYTE);
            assertEquals(10, v6[0]);
            assertEquals(0, v6[2]);
            assertEquals(80, v6[3]);
            assertEquals((byte) 0xff, v6[8 + 10]);
            assertEquals((byte) 0xff, v6[8 + 11]);
            assertEquals(127, v6[8 + 12]);
        }
        assertEquals(16, SockAddr.SOCKADDR_IN.byteSize());
        assertEquals(28, SockAddr.SOCKADDR_IN6.byteSize());
    }

    @Test
    void kernelAgreesThroughBindAndGetsockname() throws IOException {
        for (String host : new String[] {"127.0.0.1", "::1"}) {
            InetAddress ip = InetAddress.getByName(host);
            int family = ip instanceof Inet4Address ? SocketAbi.CURRENT.AF_INET : SocketAbi.CURRENT.AF_INET6;
            int fd = Net.socket(family, SocketAbi.CURRENT.SOCK_DGRAM | SocketAbi.CURRENT.SOCK_CLOEXEC, 0);
            try {
                Net.bind(fd, family, new InetSocketAddress(ip, 0));
                InetSocketAddress bound = Net.getsockname(fd);
                assertEquals(ip, bound.getAddress());
                assertEquals(true, bound.getPort() > 0);
            } finally {
                Unistd.close(fd);
            }
        }
    }

    @Test
    void clearErrors() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE_SIZE);
            assertThrows(UnresolvedAddressException.class,
                    () -> SockAddr.encode(InetSocketAddress.createUnresolved("example.invalid", 80), SocketAbi.CURRENT.AF_INET, sa));
            assertThrows(IllegalArgumentException.class,
                    () -> SockAddr.encode(new InetSocketAddress(InetAddress.getByName("::1"), 80), SocketAbi.CURRENT.AF_INET, sa));
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) 1);   // AF_UNIX
            assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(sa));
        }
        assertEquals(SocketAbi.CURRENT.AF_INET6, SockAddr.family(new InetSocketAddress(InetAddress.getByName("::"), 1)));
        assertInstanceOf(Inet4Address.class, roundTrip(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 1),
                SocketAbi.CURRENT.AF_INET).getAddress());
    }

    private static final SocketAbi[] BSDS = {SocketAbi.MACOS, SocketAbi.FREEBSD};

    @Test
    void bsdLayoutsHaveALengthByteAndAByteFamily() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE_SIZE);
            for (SocketAbi abi : BSDS) {
                InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1234);
                assertEquals(16, SockAddr.encode(v4, abi.AF_INET, sa, abi));
                // sin_len 16, sin_family 2, port big-endian, address, sin_zero
                assertEquals(java.util.Arrays.toString(new byte[] {16, 2, 0x12, 0x34, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}),
                        java.util.Arrays.toString(sa.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE)), abi.id());
                assertEquals(v4, SockAddr.decode(sa, abi));

                InetSocketAddress v6 = new InetSocketAddress(Inet6Address.getByAddress(null,
                        InetAddress.getByName("fe80::1:2").getAddress(), 7), 443);
                assertEquals(28, SockAddr.encode(v6, abi.AF_INET6, sa, abi));
                byte[] b = sa.asSlice(0, 28).toArray(ValueLayout.JAVA_BYTE);
                assertEquals(28, b[0], "sin6_len");
                assertEquals(abi.AF_INET6, b[1], "sin6_family: 30 on macOS, 28 on FreeBSD");
                assertEquals(1, b[2]);
                assertEquals((byte) 0xbb, b[3]);
                assertEquals((byte) 0xfe, b[8]);
                assertEquals(7, sa.get(ValueLayout.JAVA_INT, 24), "sin6_scope_id");
                InetSocketAddress back = SockAddr.decode(sa, abi);
                assertEquals(v6.getAddress(), back.getAddress());
                assertEquals(443, back.getPort());

                // An IPv4 peer on a dual-stack socket: IPv4-mapped, and back as IPv4.
                assertEquals(28, SockAddr.encode(v4, abi.AF_INET6, sa, abi));
                assertEquals(v4, SockAddr.decode(sa, abi));
                // Linux's family number is no family here: a clear error, not a wrong address.
                sa.set(ValueLayout.JAVA_BYTE, 1, (byte) SocketAbi.LINUX.AF_INET6);
                assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(sa, abi));
            }
        }
    }

    @Test
    void bsdUnixAddresses() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.STORAGE_SIZE);
            byte[] path = "/tmp/p.sock".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (SocketAbi abi : BSDS) {
                int len = SockAddr.encodeUnix(path, sa, abi);
                assertEquals(2 + path.length + 1, len, "SUN_LEN: the path and its NUL");
                assertEquals(len, sa.get(ValueLayout.JAVA_BYTE, 0), "sun_len");
                assertEquals(1, sa.get(ValueLayout.JAVA_BYTE, 1), "sun_family AF_UNIX");
                assertEquals('/', sa.get(ValueLayout.JAVA_BYTE, 2));
                assertEquals(0, sa.get(ValueLayout.JAVA_BYTE, 2 + path.length));
                assertEquals(new String(path), new String(SockAddr.decodeUnix(sa, len, abi)));
                // 104-byte sun_path: 103 bytes and the NUL fit, 104 do not.
                byte[] longest = "a".repeat(103).getBytes();
                assertEquals(2 + 104, SockAddr.encodeUnix(longest, sa, abi));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> SockAddr.encodeUnix("a".repeat(104).getBytes(), sa, abi));
                assertTrue(e.getMessage().contains("at most 103") && e.getMessage().contains(abi.id()), e.getMessage());
                // A kernel's unnamed socket may come back with a zeroed sun_path: unnamed, not an abstract name.
                sa.fill((byte) 0);
                assertEquals(0, SockAddr.decodeUnix(sa, 16, abi).length);
            }
            // Linux: a 16-bit family, 108-byte sun_path, and a leading NUL is an abstract name.
            int len = SockAddr.encodeUnix(path, sa, SocketAbi.LINUX);
            assertEquals(1, sa.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals(2 + path.length + 1, len);
            assertEquals(2 + 108, SockAddr.encodeUnix("a".repeat(107).getBytes(), sa, SocketAbi.LINUX));
            byte[] abs = {0, 'x'};
            assertEquals(4, SockAddr.encodeUnix(abs, sa, SocketAbi.LINUX));
            assertEquals(2, SockAddr.decodeUnix(sa, 4, SocketAbi.LINUX).length);
        }
    }

    @Test
    void msghdrPerProfile() {
        assertEquals(56, IoVec.msghdrLayout(SocketAbi.LINUX).byteSize());
        for (SocketAbi abi : BSDS) {
            var m = IoVec.msghdrLayout(abi);
            assertEquals(48, m.byteSize(), abi.id());
            assertEquals(24, m.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_iovlen")));
            assertEquals(40, m.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_controllen")));
            assertEquals(44, m.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_flags")));
        }
    }
}
