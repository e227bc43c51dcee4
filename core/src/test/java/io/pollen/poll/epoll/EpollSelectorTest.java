package io.pollen.poll.epoll;

import io.pollen.poll.Backend;
import io.pollen.poll.Event;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.SourceChannel;
import io.pollen.poll.SourceFd;
import io.pollen.poll.Token;
import io.pollen.poll.Waker;
import io.pollen.sys.linux.EventFd;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoll backend through the public Poll API, on pipes and eventfds registered as {@link SourceFd}s. */
@Timeout(30)
class EpollSelectorTest {
    Poll poll;
    Events events;
    int[] pipe;
    Arena arena;
    MemorySegment buf;

    @BeforeAll
    static void snapshot() throws IOException {
        // The JDK's nio keeps one internal socket from its first use on; open it before the snapshot.
        Pipe warm = Pipe.open();
        warm.source().close();
        warm.sink().close();
    }

    @BeforeEach
    void open() throws IOException {
        poll = Poll.open(Backend.EPOLL);
        events = Events.withCapacity(16);
        pipe = Unistd.pipe2(SocketAbi.CURRENT.O_NONBLOCK | SocketAbi.CURRENT.O_CLOEXEC);
        arena = Arena.ofConfined();
        buf = arena.allocate(4096);
    }

    @AfterEach
    void close() throws IOException {
        poll.close();
        Unistd.close(pipe[0]);
        Unistd.close(pipe[1]);
        arena.close();
    }

    /** Polls a few times (events may be split or spurious) and ORs the readiness seen per token. */
    private Map<Long, Integer> pollFor(Duration total) throws IOException {
        Map<Long, Integer> seen = new HashMap<>();
        long deadline = System.nanoTime() + total.toNanos();
        do {
            poll.poll(events, Duration.ofMillis(20));
            for (Event e : events) {
                int bits = (e.isReadable() ? 1 : 0) | (e.isWritable() ? 2 : 0) | (e.isError() ? 4 : 0)
                        | (e.isReadClosed() ? 8 : 0) | (e.isWriteClosed() ? 16 : 0);
                seen.merge(e.token(), bits, (a, b) -> a | b);
            }
        } while (seen.isEmpty() && System.nanoTime() < deadline);
        return seen;
    }

    private void writeByte() throws IOException {
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
        assertEquals(1, Unistd.write(pipe[1], buf, 1));
    }

    private void drain() throws IOException {
        while (Unistd.read(pipe[0], buf, buf.byteSize()) > 0) {
            // keep reading until would block
        }
    }

    @Test
    void readableAfterWrite() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(7), Interest.READABLE);
        assertEquals(0, poll.poll(events, Duration.ZERO), "nothing to read yet");
        writeByte();
        Map<Long, Integer> seen = pollFor(Duration.ofSeconds(5));
        assertEquals(Map.of(7L, 1), seen);
    }

    @Test
    void edgeTriggeredDrainThenSilenceThenNewData() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(1), Interest.READABLE);
        writeByte();
        writeByte();
        assertTrue(pollFor(Duration.ofSeconds(5)).containsKey(1L));
        drain();
        assertEquals(0, poll.poll(events, Duration.ofMillis(50)), "edge-triggered: no event after draining");
        writeByte();
        assertTrue(pollFor(Duration.ofSeconds(5)).containsKey(1L), "new data is a new edge");
    }

    @Test
    void undrainedSourceIsNotReportedAgain() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(1), Interest.READABLE);
        writeByte();
        assertTrue(pollFor(Duration.ofSeconds(5)).containsKey(1L));
        // Not drained: edge-triggered epoll stays silent until new data arrives.
        assertEquals(0, poll.poll(events, Duration.ofMillis(30)));
    }

    @Test
    void writableAndReregisterReplacesTokenAndInterest() throws IOException {
        SourceFd w = new SourceFd(pipe[1]);
        poll.registry().register(w, Token.of(3), Interest.WRITABLE);
        assertEquals(Map.of(3L, 2), pollFor(Duration.ofSeconds(5)));
        poll.registry().reregister(w, Token.of(4), Interest.WRITABLE);
        // Re-arming with EPOLL_CTL_MOD reports current readiness under the new token.
        assertEquals(Map.of(4L, 2), pollFor(Duration.ofSeconds(5)));
    }

    @Test
    void deregisterSilencesTheSource() throws IOException {
        SourceFd r = new SourceFd(pipe[0]);
        poll.registry().register(r, Token.of(5), Interest.READABLE);
        poll.registry().deregister(r);
        writeByte();
        assertEquals(0, poll.poll(events, Duration.ofMillis(50)));
        poll.registry().register(r, Token.of(6), Interest.READABLE);
        assertEquals(Map.of(6L, 1), pollFor(Duration.ofSeconds(5)), "registering again reports pending data");
    }

    @Test
    void closedWriteEndIsReadClosed() throws IOException {
        int[] p = Unistd.pipe2(SocketAbi.CURRENT.O_NONBLOCK | SocketAbi.CURRENT.O_CLOEXEC);
        try {
            poll.registry().register(new SourceFd(p[0]), Token.of(9), Interest.READABLE);
            Unistd.close(p[1]);
            p[1] = -1;
            int bits = pollFor(Duration.ofSeconds(5)).getOrDefault(9L, 0);
            assertTrue((bits & 8) != 0, "EPOLLHUP reported as read-closed: " + bits);
            assertEquals(0, Unistd.read(p[0], buf, 1), "and the read returns end of file");
        } finally {
            Unistd.close(p[0]);
            if (p[1] >= 0) {
                Unistd.close(p[1]);
            }
        }
    }

    @Test
    void eventFdSource() throws IOException {
        int efd = EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        try {
            poll.registry().register(new SourceFd(efd), Token.of(11), Interest.READABLE);
            assertEquals(0, poll.poll(events, Duration.ZERO));
            buf.set(ValueLayout.JAVA_LONG, 0, 3L);
            assertEquals(8, Unistd.write(efd, buf, 8));
            assertEquals(Map.of(11L, 1), pollFor(Duration.ofSeconds(5)));
            assertEquals(8, Unistd.read(efd, buf, 8));
            assertEquals(3L, buf.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(Native.WOULD_BLOCK, Unistd.read(efd, buf, 8), "EAGAIN is a value, not an exception");
            poll.registry().deregister(new SourceFd(efd));
        } finally {
            Unistd.close(efd);
        }
    }

    @Test
    void doubleRegisterIsEexistMappedToIllegalState() throws IOException {
        SourceFd r = new SourceFd(pipe[0]);
        poll.registry().register(r, Token.of(1), Interest.READABLE);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> poll.registry().register(r, Token.of(2), Interest.READABLE));
        assertTrue(e.getMessage().startsWith("already registered"), e.getMessage());
        assertTrue(e.getCause().getMessage().contains("EEXIST"), e.getCause().getMessage());
    }

    @Test
    void unregisteredIsEnoentMappedToIllegalState() {
        SourceFd r = new SourceFd(pipe[0]);
        IllegalStateException re = assertThrows(IllegalStateException.class,
                () -> poll.registry().reregister(r, Token.of(2), Interest.READABLE));
        assertTrue(re.getMessage().startsWith("not registered"), re.getMessage());
        IllegalStateException de = assertThrows(IllegalStateException.class, () -> poll.registry().deregister(r));
        assertTrue(de.getMessage().startsWith("not registered"), de.getMessage());
        assertTrue(de.getCause().getMessage().contains("ENOENT"), de.getCause().getMessage());
    }

    @Test
    void badFdIsNativeErrorNamingEbadf() throws IOException {
        int[] p = Unistd.pipe2(SocketAbi.CURRENT.O_CLOEXEC);
        Unistd.close(p[0]);
        Unistd.close(p[1]);
        IOException e = assertThrows(IOException.class,
                () -> poll.registry().register(new SourceFd(p[0]), Token.of(1), Interest.READABLE));
        assertTrue(e.getMessage().contains("epoll_ctl failed: EBADF (9)"), e.getMessage());
    }

    @Test
    void channelSourcesAreRejectedWithAnExplanation() throws IOException {
        Pipe p = Pipe.open();
        try {
            p.source().configureBlocking(false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> poll.registry().register(new SourceChannel(p.source()), Token.of(1), Interest.READABLE));
            assertTrue(e.getMessage().contains("nio backend"), e.getMessage());
        } finally {
            p.source().close();
            p.sink().close();
        }
    }

    @Test
    void wakerReportsItsTokenAndWakesABlockedPoll() throws Exception {
        try (Waker waker = new Waker(poll.registry(), Token.of(99))) {
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                    waker.wake();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            int n = poll.poll(events, null);
            t.join();
            assertEquals(1, n);
            assertEquals(99L, events.token(0));
            assertTrue(events.isReadable(0));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
            // The wake was consumed: the eventfd is edge-triggered and never read, yet silent now.
            assertEquals(0, poll.poll(events, Duration.ofMillis(30)));
        }
    }

    @Test
    void wakeWithoutWakerTokenIsSwallowed() throws Exception {
        Waker waker = new Waker(poll.registry(), Token.of(5));
        waker.close();
        // The selector still has its eventfd; a raw wake-up is reported as nothing.
        EpollSelector s = (EpollSelector) EpollSelector.open();
        try {
            s.wakeup();
            long[] tokens = new long[4];
            int[] flags = new int[4];
            assertEquals(0, s.select(tokens, flags, TimeUnit.SECONDS.toNanos(5)));
        } finally {
            s.close();
        }
    }

    @Test
    void oneMicrosecondTimeoutReturnsWithoutSpinning() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(1), Interest.READABLE);
        for (int i = 0; i < 100; i++) {
            assertEquals(0, poll.poll(events, 1, TimeUnit.MICROSECONDS));
        }
        // Behaviour, not speed: the call waited at least its timeout (rounded up, never to zero).
        long start = System.nanoTime();
        poll.poll(events, 1, TimeUnit.MICROSECONDS);
        assertTrue(System.nanoTime() - start >= 1_000, "waited at least 1 µs");
        assertEquals(1, EpollSelector.toMillis(1_000), "epoll_wait fallback rounds 1 µs up to 1 ms");
        assertEquals(1, EpollSelector.toMillis(1_000_000));
        assertEquals(2, EpollSelector.toMillis(1_000_001));
        assertEquals(0, EpollSelector.toMillis(0));
        assertEquals(-1, EpollSelector.toMillis(-5));
        assertEquals(Integer.MAX_VALUE, EpollSelector.toMillis(Long.MAX_VALUE));
    }

    @Test
    void fiftyMillisecondTimeoutWaitsAtLeastFiftyMilliseconds() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(1), Interest.READABLE);
        long start = System.nanoTime();
        int n = poll.poll(events, Duration.ofMillis(50));
        long waited = System.nanoTime() - start;
        assertEquals(0, n);
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50), "waited only " + waited + " ns");
    }

    @Test
    void millisecondFallbackRoundsUpAndNeverSpins() throws IOException {
        EpollSelector s = EpollSelector.open(false);
        try {
            long[] tokens = new long[4];
            int[] flags = new int[4];
            for (long timeout : new long[] {1_000, 1, 999_999}) {
                long start = System.nanoTime();
                assertEquals(0, s.select(tokens, flags, timeout));
                long waited = System.nanoTime() - start;
                assertTrue(waited >= 1_000_000, timeout + " ns was rounded up to 1 ms, waited " + waited + " ns");
            }
            long start = System.nanoTime();
            assertEquals(0, s.select(tokens, flags, TimeUnit.MILLISECONDS.toNanos(50)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            s.wakeup();
            s.wakerToken(3);
            assertEquals(1, s.select(tokens, flags, -1), "a blocking select returns for the wake-up");
            assertEquals(3, tokens[0]);
        } finally {
            s.close();
        }
    }

    @Test
    void interestAndReadyMapping() {
        assertEquals(EPollBits.IN | EPollBits.RDHUP | EPollBits.ET, EpollSelector.toEpoll(1));
        assertEquals(EPollBits.OUT | EPollBits.ET, EpollSelector.toEpoll(2));
        assertEquals(EPollBits.PRI | EPollBits.ET, EpollSelector.toEpoll(4));
        assertEquals(io.pollen.poll.spi.Ready.ERROR, EpollSelector.toReady(EPollBits.ERR));
        assertEquals(io.pollen.poll.spi.Ready.READ_CLOSED | io.pollen.poll.spi.Ready.WRITE_CLOSED,
                EpollSelector.toReady(EPollBits.HUP));
        assertEquals(io.pollen.poll.spi.Ready.READ_CLOSED | io.pollen.poll.spi.Ready.READABLE,
                EpollSelector.toReady(EPollBits.RDHUP | EPollBits.IN));
        assertEquals(io.pollen.poll.spi.Ready.PRIORITY | io.pollen.poll.spi.Ready.WRITABLE,
                EpollSelector.toReady(EPollBits.PRI | EPollBits.OUT));
        assertFalse(EpollSelector.WAKE_DATA >= 0, "the waker's data can never be a user token");
    }

    /** The epoll bits, named briefly for the mapping test. */
    private static final class EPollBits {
        static final int IN = io.pollen.sys.linux.EPoll.EPOLLIN;
        static final int OUT = io.pollen.sys.linux.EPoll.EPOLLOUT;
        static final int PRI = io.pollen.sys.linux.EPoll.EPOLLPRI;
        static final int ERR = io.pollen.sys.linux.EPoll.EPOLLERR;
        static final int HUP = io.pollen.sys.linux.EPoll.EPOLLHUP;
        static final int RDHUP = io.pollen.sys.linux.EPoll.EPOLLRDHUP;
        static final int ET = io.pollen.sys.linux.EPoll.EPOLLET;
    }
}
