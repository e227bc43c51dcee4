package io.pollen.net.fd;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.Options;
import io.pollen.net.spi.StreamImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Socket options on fd sockets: each StandardSocketOptions one the SPI lists, IP_TTL on both families, SO_LINGER. */
@Timeout(30)
class FdOptionsTest {
    final FdSocketFactory factory = FdSocketFactory.INSTANCE;

    static InetSocketAddress loopback(String host) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(host), 0);
    }

    @Test
    void streamOptionsRoundTrip() throws IOException {
        try (ListenerImpl l = factory.listen(loopback("127.0.0.1"), 4, false);
             StreamImpl s = factory.connect(l.localAddress())) {
            assertTrue(l.getOption(StandardSocketOptions.SO_REUSEADDR), "listeners set SO_REUSEADDR before bind");
            assertFalse(l.getOption(StandardSocketOptions.SO_REUSEPORT), "SO_REUSEPORT only when asked");

            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
            s.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertFalse(s.getOption(StandardSocketOptions.TCP_NODELAY));

            s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(s.getOption(StandardSocketOptions.SO_KEEPALIVE));

            assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER), "linger is off by default");
            s.setOption(StandardSocketOptions.SO_LINGER, 5);
            assertEquals(5, s.getOption(StandardSocketOptions.SO_LINGER));
            s.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));

            s.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 64 * 1024, "Linux reports double");
            s.setOption(StandardSocketOptions.SO_RCVBUF, 32 * 1024);
            assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 32 * 1024);

            s.setOption(Options.IP_TTL, 42);
            assertEquals(42, s.getOption(Options.IP_TTL));

            assertThrows(IllegalArgumentException.class, () -> s.setOption(Options.IP_TTL, 0));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_SNDBUF, -1));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> s.setOption(StandardSocketOptions.SO_BROADCAST, true));
            assertTrue(e.getMessage().contains("SO_BROADCAST"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> l.getOption(StandardSocketOptions.TCP_NODELAY));
        }
    }

    @Test
    void reusePortIsSetWhenAsked() throws IOException {
        try (ListenerImpl l = factory.listen(loopback("127.0.0.1"), 4, true)) {
            assertTrue(l.getOption(StandardSocketOptions.SO_REUSEPORT));
        }
    }

    @Test
    void ttlOnIpv6UsesTheHopLimit() throws IOException {
        try (ListenerImpl l = factory.listen(loopback("::1"), 4, false);
             StreamImpl s = factory.connect(l.localAddress())) {
            s.setOption(Options.IP_TTL, 7);
            assertEquals(7, s.getOption(Options.IP_TTL));
            l.setOption(Options.IP_TTL, 9);
            assertEquals(9, l.getOption(Options.IP_TTL));
        }
    }

    @Test
    void datagramOptions() throws IOException {
        try (DatagramImpl d = factory.bindDatagram(loopback("127.0.0.1"))) {
            assertFalse(d.getOption(StandardSocketOptions.SO_BROADCAST));
            d.setOption(StandardSocketOptions.SO_BROADCAST, true);
            assertTrue(d.getOption(StandardSocketOptions.SO_BROADCAST));
            d.setOption(Options.IP_TTL, 3);
            assertEquals(3, d.getOption(Options.IP_TTL));
            assertThrows(UnsupportedOperationException.class, () -> d.setOption(StandardSocketOptions.TCP_NODELAY, true));
        }
    }
}
