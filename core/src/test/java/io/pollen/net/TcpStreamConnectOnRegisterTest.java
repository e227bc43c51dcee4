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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link TcpStream#connectOnRegister}: on a readiness Poll of every backend the registration
 * connects ({@code connect(2)}, or java.nio's), and the stream then behaves as one from
 * {@link TcpStream#connect}: writable once connected, a refusal kept for {@code takeError}. (An
 * io_uring event loop's driver connects it as its own operation: {@code UringConnectTest}.)
 */
@Timeout(30)
class TcpStreamConnectOnRegisterTest {
    private static final int CLIENT = 1;

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void theRegistrationConnectsAndTheStreamTurnsWritable(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); TcpListener listener = TcpListener.bind(Loopback.any(), backend);
             TcpStream client = TcpStream.connectOnRegister(listener.localAddress(), backend)) {
            Events events = Events.withCapacity(16);
            poll.registry().register(client, Token.of(CLIENT), Interest.WRITABLE);
            PollAssert.expect(poll, events, Want.writable(CLIENT));
            assertNull(client.takeError(), "connected");
            assertEquals(listener.localAddress().getPort(), ((InetSocketAddress) client.peerAddress()).getPort());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aRefusedConnectIsKeptForTakeError(Backend backend) throws IOException {
        try (TcpStream client = TcpStream.connectOnRegister(Loopback.closedPort(), backend)) {
            TcpStreamTest.expectRefused(backend, client);
        }
    }
}
