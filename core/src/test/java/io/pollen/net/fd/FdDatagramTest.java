package io.pollen.net.fd;

import io.pollen.net.spi.DatagramImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fd-flavor UDP through the socket SPI: sendTo/receiveFrom, peek, connect, empty and truncated datagrams, IPv6. */
@Timeout(30)
class FdDatagramTest {
    static Fds.Snapshot fds;

    Poll poll;
    Events events;
    DatagramImpl a;
    DatagramImpl b;

    @BeforeAll
    static void snapshot() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void noLeaks() {
        fds.assertNoLeak();
    }

    @BeforeEach
    void open() throws IOException {
        poll = Poll.open(Backend.EPOLL);
        events = Events.withCapacity(8);
    }

    @AfterEach
    void close() throws IOException {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        poll.close();
    }

    void bindPair(String host) throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName(host), 0);
        a = FdSocketFactory.INSTANCE.bindDatagram(any);
        b = FdSocketFactory.INSTANCE.bindDatagram(any);
    }

    InetSocketAddress receive(DatagramImpl s, ByteBuffer dst, boolean peek) throws IOException {
        InetSocketAddress from;
        while ((from = peek ? s.peekFrom(dst) : s.receiveFrom(dst)) == null) {
            FdStreamTest.await(poll, events, s, Interest.READABLE);
        }
        return from;
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String ascii(ByteBuffer b) {
        return StandardCharsets.US_ASCII.decode(b.flip()).toString();
    }

    @Test
    void sendToAndReceiveFromReportTheSource() throws IOException {
        bindPair("127.0.0.1");
        assertNull(b.receiveFrom(ByteBuffer.allocate(8)), "nothing pending: null");
        assertEquals(4, a.sendTo(ascii("ping"), b.localAddress()));
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        assertEquals(a.localAddress(), receive(b, dst, false));
        assertEquals("ping", ascii(dst));
    }

    @Test
    void peekLeavesTheDatagramAndTruncationDiscardsTheRest() throws IOException {
        bindPair("127.0.0.1");
        a.sendTo(ascii("hello world"), b.localAddress());
        ByteBuffer small = ByteBuffer.allocate(5);
        assertEquals(a.localAddress(), receive(b, small, true));
        assertEquals("hello", ascii(small));
        ByteBuffer again = ByteBuffer.allocate(5);
        assertEquals(a.localAddress(), b.receiveFrom(again));
        assertEquals("hello", ascii(again), "truncated to the buffer");
        assertNull(b.receiveFrom(ByteBuffer.allocate(64)), "the rest of the datagram was discarded");
    }

    @Test
    void emptyDatagramIsADatagram() throws IOException {
        bindPair("127.0.0.1");
        assertEquals(0, a.sendTo(ByteBuffer.allocate(0), b.localAddress()));
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertEquals(a.localAddress(), receive(b, dst, false));
        assertEquals(0, dst.position());
    }

    @Test
    void connectedSendAndReceive() throws IOException {
        bindPair("127.0.0.1");
        assertNull(a.peerAddress());
        assertThrows(NotYetConnectedException.class, () -> a.send(ascii("x")));
        assertEquals(0, a.receive(ByteBuffer.allocate(1)), "unconnected, receive is recv(2): nothing pending yet");
        a.connect(b.localAddress());
        b.connect(a.localAddress());
        assertEquals(b.localAddress(), a.peerAddress());
        assertEquals(0, b.receive(ByteBuffer.allocate(8)), "nothing pending: 0");
        assertEquals(3, a.send(ascii("abc")));
        ByteBuffer dst = ByteBuffer.allocate(8);
        while (b.receive(dst) == 0) {
            FdStreamTest.await(poll, events, b, Interest.READABLE);
        }
        assertEquals("abc", ascii(dst));
    }

    @Test
    void largeDatagramThroughAHeapBuffer() throws IOException {
        bindPair("127.0.0.1");
        b.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 256 * 1024);
        byte[] data = new byte[65_507];
        new java.util.Random(3).nextBytes(data);
        assertEquals(data.length, a.sendTo(ByteBuffer.wrap(data), b.localAddress()));
        ByteBuffer dst = ByteBuffer.allocate(70_000);
        receive(b, dst, false);
        assertEquals(data.length, dst.position());
        assertTrue(java.util.Arrays.equals(data, 0, data.length, dst.array(), 0, data.length));
    }

    @Test
    void ipv6AndIpv4ToADualStackSocket() throws IOException {
        bindPair("::1");
        a.sendTo(ascii("six"), b.localAddress());
        ByteBuffer dst = ByteBuffer.allocate(8);
        InetSocketAddress from = receive(b, dst, false);
        assertInstanceOf(Inet6Address.class, from.getAddress());
        assertEquals(a.localAddress(), from);
        a.close();
        b.close();

        a = FdSocketFactory.INSTANCE.bindDatagram(new InetSocketAddress(InetAddress.getByName("::"), 0));
        b = FdSocketFactory.INSTANCE.bindDatagram(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        // An IPv4 target from an AF_INET6 socket goes out IPv4-mapped.
        a.sendTo(ascii("four"), b.localAddress());
        dst.clear();
        from = receive(b, dst, false);
        assertEquals("four", ascii(dst));
        assertEquals(a.localAddress().getPort(), from.getPort());
        assertEquals(InetAddress.getByName("127.0.0.1"), from.getAddress());
    }

    @Test
    void ipv6TargetOnAnIpv4SocketIsAClearError() throws IOException {
        bindPair("127.0.0.1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.sendTo(ascii("x"), new InetSocketAddress(InetAddress.getByName("::1"), 9)));
        assertTrue(e.getMessage().contains("IPv4 socket"), e.getMessage());
    }

    @Test
    void closedSocketThrows() throws IOException {
        bindPair("127.0.0.1");
        a.close();
        assertThrows(ClosedChannelException.class, () -> a.sendTo(ascii("x"), b.localAddress()));
        assertThrows(ClosedChannelException.class, () -> a.receiveFrom(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> a.connect(b.localAddress()));
    }
}
