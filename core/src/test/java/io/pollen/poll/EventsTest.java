package io.pollen.poll;

import io.pollen.net.UdpSocket;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Events} and {@link Event}: the reusable buffer, its cursor, and a buffer smaller than the ready set. */
@Timeout(60)
class EventsTest {
    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Events.withCapacity(0));
        Events events = Events.withCapacity(3);
        assertEquals(3, events.capacity());
        assertTrue(events.isEmpty());
        assertThrows(IndexOutOfBoundsException.class, () -> events.token(0));
        assertFalse(events.iterator().hasNext());
        assertThrows(NoSuchElementException.class, () -> events.iterator().next());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void cursorAndFlatAccessorsAgreeAndTheCursorIsReused(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket a = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket b = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(a, Token.of(10), Interest.WRITABLE);
            poll.registry().register(b, Token.of(20), Interest.WRITABLE);
            Events events = Events.withCapacity(8);
            Set<Long> seen = new HashSet<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(100));
                int i = 0;
                Event previous = null;
                for (Event e : events) {
                    if (previous != null) {
                        assertSame(previous, e, "one cursor object for every event");
                    }
                    previous = e;
                    assertEquals(events.token(i), e.token());
                    assertEquals(events.isWritable(i), e.isWritable());
                    assertEquals(events.isReadable(i), e.isReadable());
                    assertEquals(events.isError(i), e.isError());
                    assertTrue(e.isWritable(), e.toString());
                    assertTrue(e.is(Token.of(e.token())));
                    seen.add(e.token());
                    i++;
                }
                assertEquals(events.size(), i);
            }
            assertEquals(Set.of(10L, 20L), seen);
            events.clear();
            assertEquals(0, events.size());
        }
    }

    /** With room for one event per poll, three ready sockets still all get reported: none is lost. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aFullBufferLosesNothing(Backend backend) throws IOException {
        List<UdpSocket> sockets = new ArrayList<>();
        try (Poll poll = Poll.open(backend)) {
            for (int i = 0; i < 3; i++) {
                UdpSocket s = UdpSocket.bind(Loopback.any(), backend);
                sockets.add(s);
                poll.registry().register(s, Token.of(i), Interest.WRITABLE);
            }
            Events events = Events.withCapacity(1);
            Set<Long> seen = new HashSet<>();
            for (int round = 0; round < 50 && seen.size() < 3; round++) {
                int n = poll.poll(events, Duration.ofMillis(100));
                assertTrue(n <= 1, "more events than capacity: " + n);
                if (n == 1) {
                    seen.add(events.token(0));
                }
            }
            assertEquals(Set.of(0L, 1L, 2L), seen);
        } finally {
            for (UdpSocket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void iteratorRestartsFromTheFirstEvent() {
        Events events = Events.withCapacity(2);
        Iterator<Event> it = events.iterator();
        assertFalse(it.hasNext());
        assertSame(it, events.iterator(), "the iterator is reused: iterating allocates nothing");
    }
}
