package io.pollen.poll;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.net.UdpSocket;
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
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Registry}: register / reregister / deregister semantics and misuse. */
@Timeout(60)
class RegistryTest {
    static Fds.Snapshot fds;
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
    void registeringTwiceThrows(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(socket, Token.of(1), Interest.READABLE);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> poll.registry().register(socket, Token.of(2), Interest.WRITABLE));
            assertTrue(e.getMessage().contains("registered"), e.getMessage());
        }
    }

    /** A source belongs to one Poll at a time (mio refuses a second registry; epoll and nio would not). */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void registeringWithAnotherPollThrows(Backend backend) throws IOException {
        try (Poll first = Poll.open(backend); Poll second = Poll.open(backend);
             UdpSocket udp = UdpSocket.bind(Loopback.any(), backend);
             TcpListener listener = TcpListener.bind(Loopback.any(), backend);
             TcpStream stream = TcpStream.connect(listener.localAddress(), backend)) {
            for (Source source : new Source[]{udp, listener, stream}) {
                first.registry().register(source, Token.of(1), Interest.READABLE);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> second.registry().register(source, Token.of(2), Interest.READABLE));
                assertTrue(e.getMessage().contains("already registered with another " + backend.id() + " Poll"), e.getMessage());
                // The first Poll keeps it; the same-Poll misuse still says what it always said.
                IllegalStateException twice = assertThrows(IllegalStateException.class,
                        () -> first.registry().register(source, Token.of(3), Interest.READABLE));
                assertTrue(twice.getMessage().contains("already registered") && !twice.getMessage().contains("another"),
                        twice.getMessage());
                // Once deregistered there, it may move.
                first.registry().deregister(source);
                second.registry().register(source, Token.of(2), Interest.READABLE);
                second.registry().deregister(source);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aClosedPollLetsItsSourcesGo(Backend backend) throws IOException {
        try (UdpSocket udp = UdpSocket.bind(Loopback.any(), backend); Poll second = Poll.open(backend)) {
            Events events = Events.withCapacity(16);
            try (Poll first = Poll.open(backend)) {
                first.registry().register(udp, Token.of(1), Interest.READABLE);
            }
            second.registry().register(udp, Token.of(2), Interest.WRITABLE);
            PollAssert.expect(second, events, Want.writable(2));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void deregisterOrReregisterWithoutRegisterThrows(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            assertThrows(IllegalStateException.class, () -> poll.registry().deregister(socket));
            assertThrows(IllegalStateException.class,
                    () -> poll.registry().reregister(socket, Token.of(1), Interest.READABLE));
            poll.registry().register(socket, Token.of(1), Interest.READABLE);
            poll.registry().deregister(socket);
            assertThrows(IllegalStateException.class, () -> poll.registry().deregister(socket));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void reregisterReplacesTokenAndInterest(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket socket = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket peer = UdpSocket.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            // READABLE only: a writable socket with no data stays silent.
            poll.registry().register(socket, Token.of(1), Interest.READABLE);
            PollAssert.expectNone(poll, events, QUIET, 1);

            poll.registry().reregister(socket, Token.of(2), Interest.WRITABLE);
            Map<Long, Integer> seen = PollAssert.expect(poll, events, Want.writable(2));
            assertFalse(seen.containsKey(1L), "old token reported after reregister: " + PollAssert.describe(seen));

            // Now readable only again, with a new token: data gives READABLE under token 3, never 1 or 2.
            poll.registry().reregister(socket, Token.of(3), Interest.READABLE);
            peer.sendTo(Loopback.ascii("ping"), socket.localAddress());
            seen = PollAssert.expect(poll, events, Want.readable(3));
            assertFalse(seen.containsKey(1L) || seen.containsKey(2L), PollAssert.describe(seen));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void afterDeregisterNoEventsEvenWithDataPendingAndRegisteringAgainWorks(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket socket = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket peer = UdpSocket.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(socket, Token.of(1), Interest.READABLE.add(Interest.WRITABLE));
            peer.sendTo(Loopback.ascii("pending"), socket.localAddress());
            Loopback.sleep(20);
            poll.registry().deregister(socket);
            PollAssert.expectNone(poll, events, QUIET, 1);

            poll.registry().register(socket, Token.of(5), Interest.READABLE);
            Map<Long, Integer> seen = PollAssert.expect(poll, events, Want.readable(5));
            assertFalse(seen.containsKey(1L), PollAssert.describe(seen));
            ByteBuffer buf = ByteBuffer.allocate(64);
            assertEquals(peer.localAddress(), socket.receiveFrom(buf));
            assertEquals("pending", Loopback.ascii(buf.flip()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aSourceOfTheOtherKindIsRefused(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); DatagramChannel channel = DatagramChannel.open()) {
            channel.configureBlocking(false);
            if (backend.nativeSockets()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> poll.registry().register(new SourceChannel(channel), Token.of(1), Interest.READABLE));
                assertTrue(e.getMessage().toLowerCase().contains("nio"), e.getMessage());
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> poll.registry().register(new SourceFd(0), Token.of(1), Interest.READABLE));
                assertTrue(e.getMessage().contains("native backend"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> poll.registry().deregister(new SourceFd(0)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aSocketOfTheOtherFlavorIsRefusedWithAClearMessage(Backend backend) throws IOException {
        Backend other = backend.nativeSockets() ? Backend.NIO : Backend.EPOLL;
        org.junit.jupiter.api.Assumptions.assumeTrue(
                io.pollen.testing.TestBackends.all().anyMatch(b -> b == other), other + " not under test here");
        try (Poll poll = Poll.open(backend); UdpSocket socket = UdpSocket.bind(Loopback.any(), other)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> poll.registry().register(socket, Token.of(1), Interest.READABLE));
            assertTrue(e.getMessage().contains("UdpSocket opened for " + other.id()), e.getMessage());
            assertTrue(e.getMessage().contains("cannot register with a " + backend.id() + " Poll"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void nullArgumentsAreRefused(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            assertThrows(NullPointerException.class, () -> poll.registry().register(null, Token.of(1), Interest.READABLE));
            assertThrows(NullPointerException.class, () -> poll.registry().register(socket, null, Interest.READABLE));
            assertThrows(NullPointerException.class, () -> poll.registry().register(socket, Token.of(1), null));
            assertThrows(IllegalArgumentException.class, () -> Token.of(-1));
            assertEquals(backend, poll.registry().backend());
        }
    }
}
