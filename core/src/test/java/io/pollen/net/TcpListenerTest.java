package io.pollen.net;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TcpListener} against every backend: binding, accept edges, deregistration, options. */
@Timeout(60)
class TcpListenerTest {
    static final long LISTENER = 1;
    static final Duration QUIET = Duration.ofMillis(150);

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void bindsAnEphemeralPortAndAcceptReturnsNullWhenIdle(Backend backend) throws IOException {
        try (TcpListener listener = TcpListener.bind(Loopback.any(), backend)) {
            InetSocketAddress local = listener.localAddress();
            assertNotEquals(0, local.getPort());
            assertEquals(Loopback.any().getAddress(), local.getAddress());
            assertEquals(backend, listener.backend());
            assertNull(listener.accept(), "nothing pending: would block");
            assertTrue(listener.isOpen());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void eachNewConnectionAfterAnEmptyAcceptIsANewEdge(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); TcpListener listener = TcpListener.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(listener, Token.of(LISTENER), Interest.READABLE);
            PollAssert.expectNone(poll, events, QUIET, LISTENER);
            for (int i = 0; i < 2; i++) {
                try (TcpStream client = TcpStream.connect(listener.localAddress(), backend)) {
                    PollAssert.expect(poll, events, Want.readable(LISTENER));
                    TcpStream accepted = listener.accept();
                    assertNotNull(accepted, "readable listener has a pending connection");
                    try (accepted) {
                        assertEquals(backend, accepted.backend());
                        assertNull(listener.accept(), "drained");
                        Loopback.writeAll(client, new byte[]{7});
                        assertEquals(7, Loopback.readExactly(accepted, 1)[0]);
                    }
                    PollAssert.expectNone(poll, events, QUIET, LISTENER);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void twoConnectionsAtOnceAreBothAccepted(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             TcpListener listener = TcpListener.bind(Loopback.any(), backend);
             TcpStream a = TcpStream.connect(listener.localAddress(), backend);
             TcpStream b = TcpStream.connect(listener.localAddress(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(listener, Token.of(LISTENER), Interest.READABLE);
            PollAssert.expect(poll, events, Want.readable(LISTENER));
            try (TcpStream first = Loopback.acceptWithin(listener, 10_000);
                 TcpStream second = Loopback.acceptWithin(listener, 10_000)) {
                assertNotEquals(first.peerAddress(), second.peerAddress());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void afterDeregisterNoEventsButAcceptStillWorks(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); TcpListener listener = TcpListener.bind(Loopback.any(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(listener, Token.of(LISTENER), Interest.READABLE);
            poll.registry().deregister(listener);
            try (TcpStream client = TcpStream.connect(listener.localAddress(), backend)) {
                PollAssert.expectNone(poll, events, QUIET, LISTENER);
                try (TcpStream accepted = Loopback.acceptWithin(listener, 10_000)) {
                    assertNotNull(accepted);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void thePortCanBeBoundAgainAfterClose(Backend backend) throws IOException {
        InetSocketAddress address;
        try (TcpListener listener = TcpListener.bind(Loopback.any(), backend);
             TcpStream client = TcpStream.connect(listener.localAddress(), backend);
             TcpStream server = Loopback.acceptWithin(listener, 10_000)) {
            address = listener.localAddress();
            Loopback.writeAll(client, new byte[]{1});
            Loopback.readExactly(server, 1);
            server.close(); // the server side closes first and keeps TIME_WAIT: SO_REUSEADDR must cope
        }
        try (TcpListener again = TcpListener.bind(address, backend)) {
            assertEquals(address, again.localAddress());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void reusePortLetsTwoListenersShareAPort(Backend backend) throws IOException {
        try (TcpListener first = TcpListener.bind(Loopback.any(), backend, 16, true);
             TcpListener second = TcpListener.bind(first.localAddress(), backend, 16, true)) {
            assertEquals(first.localAddress(), second.localAddress());
        }
        try (TcpListener plain = TcpListener.bind(Loopback.any(), backend)) {
            assertThrows(IOException.class, () -> TcpListener.bind(plain.localAddress(), backend).close(),
                    "without SO_REUSEPORT a second listener on the port is refused");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void badArgumentsAreRefused(Backend backend) throws IOException {
        assertThrows(IllegalArgumentException.class, () -> TcpListener.bind(Loopback.any(), backend, 0, false));
        assertThrows(IllegalArgumentException.class,
                () -> TcpListener.bind(InetSocketAddress.createUnresolved("localhost", 0), backend));
        try (TcpListener listener = TcpListener.bind(Loopback.any(), backend)) {
            if (backend.nativeSockets()) {
                listener.setTtl(33);
                assertEquals(33, listener.ttl());
            } else {
                assertThrows(UnsupportedOperationException.class, () -> listener.setTtl(33));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeIsIdempotent(Backend backend) throws IOException {
        TcpListener listener = TcpListener.bind(Loopback.any(), backend);
        listener.close();
        listener.close();
        assertTrue(!listener.isOpen());
        assertThrows(IOException.class, listener::accept);
    }
}
