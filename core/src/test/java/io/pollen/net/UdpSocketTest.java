package io.pollen.net;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.testing.Fds;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link UdpSocket} against every backend: datagrams, edges, peek, connect, truncation, options. */
@Timeout(60)
class UdpSocketTest {
    static Fds.Snapshot fds;
    static final long A = 1;
    static final long B = 2;
    static final Duration QUIET = Duration.ofMillis(150);

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void sendToAndReceiveFromWithEvents(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            assertNotEquals(0, a.localAddress().getPort());
            assertEquals(backend, a.backend());
            Events events = Events.withCapacity(16);
            poll.registry().register(a, Token.of(A), Interest.WRITABLE);
            poll.registry().register(b, Token.of(B), Interest.READABLE);
            PollAssert.expect(poll, events, Want.writable(A));
            assertNull(b.receiveFrom(ByteBuffer.allocate(16)), "nothing pending");

            assertEquals(5, a.sendTo(Loopback.ascii("hello"), b.localAddress()));
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertEquals(a.localAddress(), b.receiveFrom(buf));
            assertEquals("hello", Loopback.ascii(buf.flip()));
            assertNull(b.receiveFrom(buf.clear()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void edgeTriggeredReadable(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(b, Token.of(B), Interest.READABLE);
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 3; i++) {
                    a.sendTo(Loopback.ascii("d" + i), b.localAddress());
                }
                PollAssert.expect(poll, events, Want.readable(B));
                int received = 0;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (received < 3 && System.nanoTime() < deadline) {
                    if (b.receiveFrom(ByteBuffer.allocate(8)) != null) {
                        received++;
                    }
                }
                assertEquals(3, received);
                assertNull(b.receiveFrom(ByteBuffer.allocate(8)), "drained to would-block");
                PollAssert.expectNone(poll, events, QUIET, B);
            }
        }
    }

    /** Without a would-block, a readiness already reported is not reported again (no busy spin). */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anUndrainedSocketIsNotReportedOverAndOver(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(b, Token.of(B), Interest.READABLE.add(Interest.WRITABLE));
            a.sendTo(Loopback.ascii("unread"), b.localAddress());
            PollAssert.expect(poll, events, Want.readable(B).and(PollAssert.WRITABLE));
            int reports = 0;
            for (int i = 0; i < 20; i++) {
                poll.poll(events, Duration.ofMillis(5));
                reports += events.size();
            }
            assertTrue(reports <= 2, "reported " + reports + " times in 20 polls without a would-block");
            // Draining to would-block re-arms: the next datagram is a new edge.
            while (b.receiveFrom(ByteBuffer.allocate(16)) != null) {
                // drain
            }
            a.sendTo(Loopback.ascii("again"), b.localAddress());
            PollAssert.expect(poll, events, Want.readable(B));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void peekFromLeavesTheDatagramPending(Backend backend) throws IOException {
        try (UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            assertNull(b.peekFrom(ByteBuffer.allocate(8)));
            a.sendTo(Loopback.ascii("peeked"), b.localAddress());
            ByteBuffer small = ByteBuffer.allocate(4);
            InetSocketAddress from = waitFor(() -> b.peekFrom(small));
            assertEquals(a.localAddress(), from);
            assertEquals("peek", Loopback.ascii(small.flip()));
            ByteBuffer again = ByteBuffer.allocate(16);
            assertEquals(a.localAddress(), b.peekFrom(again));
            assertEquals("peeked", Loopback.ascii(again.flip()));
            ByteBuffer all = ByteBuffer.allocate(16);
            assertEquals(a.localAddress(), b.receiveFrom(all));
            assertEquals("peeked", Loopback.ascii(all.flip()));
            assertNull(b.receiveFrom(ByteBuffer.allocate(16)), "peek did not duplicate the datagram");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aDatagramLargerThanTheBufferIsTruncated(Backend backend) throws IOException {
        try (UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            a.sendTo(Loopback.ascii("0123456789"), b.localAddress());
            a.sendTo(Loopback.ascii("next"), b.localAddress());
            ByteBuffer four = ByteBuffer.allocate(4);
            waitFor(() -> b.receiveFrom(four));
            assertEquals("0123", Loopback.ascii(four.flip()));
            ByteBuffer rest = ByteBuffer.allocate(16);
            waitFor(() -> b.receiveFrom(rest));
            assertEquals("next", Loopback.ascii(rest.flip()), "the tail of the first datagram is gone");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectedSendAndReceiveFilterOtherPeers(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket stranger = UdpSocket.bind(Loopback.any(), backend)) {
            assertNull(a.peerAddress());
            a.connect(b.localAddress());
            b.connect(a.localAddress());
            assertEquals(b.localAddress(), a.peerAddress());
            Events events = Events.withCapacity(16);
            poll.registry().register(b, Token.of(B), Interest.READABLE);
            assertEquals(0, b.receive(ByteBuffer.allocate(8)), "nothing pending");

            stranger.sendTo(Loopback.ascii("spam"), b.localAddress());
            assertEquals(3, a.send(Loopback.ascii("hey")));
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(3, b.receive(buf));
            assertEquals("hey", Loopback.ascii(buf.flip()));
            assertEquals(0, b.receive(buf.clear()), "the stranger's datagram was filtered out");
        }
    }

    /** connect(2) on a connected UDP socket changes its peer; java.nio would throw AlreadyConnected. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectingAgainRetargetsTheSocket(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket c = UdpSocket.bind(Loopback.any(), backend)) {
            a.connect(b.localAddress());
            a.connect(c.localAddress());
            assertEquals(c.localAddress(), a.peerAddress());
            Events events = Events.withCapacity(16);
            poll.registry().register(a, Token.of(A), Interest.READABLE);
            poll.registry().register(c, Token.of(B), Interest.READABLE);
            assertEquals(2, a.send(Loopback.ascii("to")));
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(a.localAddress(), c.receiveFrom(buf), "the new peer got it, from the same local port");

            b.sendTo(Loopback.ascii("old"), a.localAddress()); // from the old peer: filtered now
            c.sendTo(Loopback.ascii("new"), a.localAddress());
            PollAssert.expect(poll, events, Want.readable(A));
            assertEquals(3, a.receive(buf.clear()));
            assertEquals("new", Loopback.ascii(buf.flip()));
            assertEquals(0, a.receive(buf.clear()), "the old peer's datagram was filtered out");
        }
    }

    /** recv(2) works on an unconnected socket: the next datagram, without its sender. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void receiveOnAnUnconnectedSocketReturnsTheDatagram(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(b, Token.of(B), Interest.READABLE);
            assertEquals(0, b.receive(ByteBuffer.allocate(8)), "nothing pending: would block");
            a.sendTo(Loopback.ascii("anyone"), b.localAddress());
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertEquals(6, b.receive(buf));
            assertEquals("anyone", Loopback.ascii(buf.flip()));
            assertEquals(0, b.receive(buf.clear()), "drained");
            a.sendTo(Loopback.ascii("again"), b.localAddress());
            PollAssert.expect(poll, events, Want.readable(B)); // the would-block re-armed it
            assertEquals(5, b.receive(buf.clear()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void optionsRoundTrip(Backend backend) throws IOException {
        try (UdpSocket s = UdpSocket.bind(Loopback.any(), backend)) {
            s.setBroadcast(true);
            assertTrue(s.broadcast());
            s.setBroadcast(false);
            assertEquals(false, s.broadcast());
            s.setSendBufferSize(64 * 1024);
            assertTrue(s.sendBufferSize() >= 64 * 1024);
            s.setReceiveBufferSize(64 * 1024);
            assertTrue(s.receiveBufferSize() >= 64 * 1024);
            if (backend.nativeSockets()) {
                s.setTtl(9);
                assertEquals(9, s.ttl());
            } else {
                assertThrows(UnsupportedOperationException.class, () -> s.setTtl(9));
            }
            assertThrows(IllegalArgumentException.class, () -> s.setTtl(256));
            assertThrows(IllegalArgumentException.class,
                    () -> s.sendTo(ByteBuffer.allocate(1), InetSocketAddress.createUnresolved("localhost", 9)));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void ipv6LoopbackWorksWhereAvailable(Backend backend) throws IOException {
        UdpSocket a;
        try {
            a = UdpSocket.bind(new InetSocketAddress("::1", 0), backend);
        } catch (IOException | UnsupportedOperationException noIpv6) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + noIpv6);
            return;
        }
        try (a; UdpSocket b = UdpSocket.bind(new InetSocketAddress("::1", 0), backend)) {
            a.sendTo(Loopback.ascii("six"), b.localAddress());
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(a.localAddress(), waitFor(() -> b.receiveFrom(buf)));
            assertEquals("six", Loopback.ascii(buf.flip()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeIsIdempotent(Backend backend) throws IOException {
        UdpSocket s = UdpSocket.bind(Loopback.any(), backend);
        s.close();
        s.close();
        assertTrue(!s.isOpen());
        assertThrows(IOException.class, () -> s.receiveFrom(ByteBuffer.allocate(1)));
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** Retries a non-blocking receive until it yields something (bounded). */
    static <T> T waitFor(IoSupplier<T> receive) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            T t = receive.get();
            if (t != null) {
                return t;
            }
            Loopback.sleep(1);
        }
        throw new AssertionError("nothing received within 10 s");
    }
}
