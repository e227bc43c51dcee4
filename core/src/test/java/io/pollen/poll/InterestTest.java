package io.pollen.poll;

import io.pollen.net.UdpSocket;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Interest}: the algebra, and that a registration reports only what it asked for. */
@Timeout(60)
class InterestTest {
    @Test
    void combinationsAreSharedConstants() {
        Interest rw = Interest.READABLE.add(Interest.WRITABLE);
        assertSame(rw, Interest.WRITABLE.add(Interest.READABLE));
        assertTrue(rw.isReadable() && rw.isWritable() && !rw.isPriority());
        assertSame(Interest.READABLE, rw.remove(Interest.WRITABLE));
        assertSame(Interest.READABLE, Interest.READABLE.add(Interest.READABLE));
        assertEquals("READABLE|WRITABLE|PRIORITY", rw.add(Interest.PRIORITY).toString());
        assertEquals("WRITABLE", Interest.WRITABLE.toString());
    }

    @Test
    void anEmptyInterestCannotBeMade() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interest.READABLE.remove(Interest.READABLE));
        assertTrue(e.getMessage().contains("leaves no interest"), e.getMessage());
        assertSame(Interest.WRITABLE, Interest.WRITABLE.remove(Interest.READABLE));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void readableInterestNeverReportsWritable(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket socket = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket peer = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(socket, Token.of(1), Interest.READABLE);
            Events events = Events.withCapacity(8);
            PollAssert.expectNone(poll, events, Duration.ofMillis(100), 1); // writable, but not asked for
            peer.sendTo(Loopback.ascii("x"), socket.localAddress());
            Map<Long, Integer> seen = PollAssert.expect(poll, events, Want.readable(1));
            assertEquals(0, seen.get(1L) & PollAssert.WRITABLE, PollAssert.describe(seen));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void writableInterestNeverReportsReadable(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket socket = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket peer = UdpSocket.bind(Loopback.any(), backend)) {
            peer.sendTo(Loopback.ascii("x"), socket.localAddress());
            Loopback.sleep(20);
            poll.registry().register(socket, Token.of(1), Interest.WRITABLE);
            Events events = Events.withCapacity(8);
            Map<Long, Integer> seen = PollAssert.expect(poll, events, Want.writable(1));
            seen.putAll(PollAssert.expectNone(poll, events, Duration.ofMillis(100), 1));
            assertEquals(0, seen.get(1L) & PollAssert.READABLE, PollAssert.describe(seen));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void priorityOnlyInterestIsSilentForOrdinaryData(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket socket = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket peer = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(socket, Token.of(1), Interest.PRIORITY);
            peer.sendTo(Loopback.ascii("x"), socket.localAddress());
            PollAssert.expectNone(poll, Events.withCapacity(8), Duration.ofMillis(100), 1);
            assertFalse(Interest.PRIORITY.isReadable());
        }
    }
}
