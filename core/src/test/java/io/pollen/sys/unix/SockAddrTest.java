package io.pollen.sys.unix;

import io.pollen.sys.unix.Linux;
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
        assertEquals(in, roundTrip(in, Linux.AF_INET));
        // The same address on an AF_INET6 socket goes IPv4-mapped and comes back as IPv4.
        assertEquals(in, roundTrip(in, Linux.AF_INET6));
    }

    @Property(tries = 300)
    void ipv6RoundTrip(@ForAll @Size(16) byte[] ip, @ForAll @IntRange(max = 65535) int port,
                       @ForAll @IntRange(max = 1000) int scope) throws UnknownHostException {
        ip[10] = 0;   // not IPv4-mapped (covered above)
        InetAddress addr = scope == 0 ? Inet6Address.getByAddress(null, ip, -1) : Inet6Address.getByAddress(null, ip, scope);
        InetSocketAddress in = new InetSocketAddress(addr, port);
        InetSocketAddress out = roundTrip(in, Linux.AF_INET6);
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
            int len = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1234), Linux.AF_INET, sa);
            assertEquals(16, len);
            byte[] v4 = sa.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE);
            // family 2 (host order, little-endian here), port 0x1234 big-endian, address, zero padding
            assertEquals(java.util.Arrays.toString(new byte[] {2, 0, 0x12, 0x34, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}),
                    java.util.Arrays.toString(v4));
            len = SockAddr.encode(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80), Linux.AF_INET6, sa);
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
            int family = ip instanceof Inet4Address ? Linux.AF_INET : Linux.AF_INET6;
            int fd = Net.socket(family, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
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
                    () -> SockAddr.encode(InetSocketAddress.createUnresolved("example.invalid", 80), Linux.AF_INET, sa));
            assertThrows(IllegalArgumentException.class,
                    () -> SockAddr.encode(new InetSocketAddress(InetAddress.getByName("::1"), 80), Linux.AF_INET, sa));
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) 1);   // AF_UNIX
            assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(sa));
        }
        assertEquals(Linux.AF_INET6, SockAddr.family(new InetSocketAddress(InetAddress.getByName("::"), 1)));
        assertInstanceOf(Inet4Address.class, roundTrip(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 1),
                Linux.AF_INET).getAddress());
    }
}
