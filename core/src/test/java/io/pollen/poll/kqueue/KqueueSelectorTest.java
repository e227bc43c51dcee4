package io.pollen.poll.kqueue;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.SourceChannel;
import io.pollen.poll.SourceFd;
import io.pollen.poll.Token;
import io.pollen.poll.Waker;
import io.pollen.poll.spi.Ready;
import io.pollen.sys.bsd.KQueue;
import io.pollen.sys.bsd.KqueueAbi;
import io.pollen.sys.unix.FdOpen;
import io.pollen.sys.unix.Unistd;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kqueue backend through the public Poll API, on pipes registered as {@link SourceFd}s. Skipped
 * (with the reason, counted by Surefire) where kqueue is unavailable: on Linux, build libkqueue and
 * pass {@code -Dpollen.kqueue.library=PATH}.
 */
@Timeout(30)
class KqueueSelectorTest {
    Poll poll;
    Events events;
    int[] pipe;
    Arena arena;
    MemorySegment buf;

    @BeforeAll
    static void snapshot() throws IOException {
        Pipe warm = Pipe.open();
        warm.source().close();
        warm.sink().close();
    }

    @BeforeEach
    void open() throws IOException {
        // Per test, so that each skip is counted (a class-level assumption shows as 0 tests run).
        assumeTrue(KQueue.AVAILABLE, () -> "kqueue: skipped — " + KQueue.unavailableReason().orElse(""));
        poll = Poll.open(Backend.KQUEUE);
        events = Events.withCapacity(16);
        pipe = FdOpen.pipe();
        arena = Arena.ofConfined();
        buf = arena.allocate(4096);
    }

    @AfterEach
    void close() throws IOException {
        if (poll == null) {
            return;
        }
        poll.close();
        Unistd.close(pipe[0]);
        Unistd.close(pipe[1]);
        arena.close();
    }

    private Map<Long, Integer> expect(Want... wants) {
        return PollAssert.expect(poll, events, wants);
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
        assertEquals(Map.of(7L, 1), expect(Want.readable(7)));
        poll.registry().deregister(new SourceFd(pipe[0]));
    }

    @Test
    void edgeTriggeredDrainThenSilenceThenNewData() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(1), Interest.READABLE);
        writeByte();
        writeByte();
        expect(Want.readable(1));
        drain();
        assertEquals(0, poll.poll(events, Duration.ofMillis(50)), "EV_CLEAR: no event after draining");
        writeByte();
        expect(Want.readable(1));   // new data is a new edge
        poll.registry().deregister(new SourceFd(pipe[0]));
    }

    @Test
    void writableAndReregisterReplacesTokenAndInterest() throws IOException {
        SourceFd w = new SourceFd(pipe[1]);
        poll.registry().register(w, Token.of(3), Interest.WRITABLE);
        assertEquals(Map.of(3L, 2), expect(Want.writable(3)));
        poll.registry().reregister(w, Token.of(4), Interest.WRITABLE);
        Map<Long, Integer> again = new HashMap<>();
        PollAssert.pollInto(poll, events, Duration.ofMillis(200), again);
        if (KQueue.ABI == KqueueAbi.LIBKQUEUE) {
            // libkqueue only: EV_ADD on an existing socket/pipe filter updates udata but does not
            // re-evaluate it (evfilt_write_knote_modify makes no epoll_ctl), so the readiness
            // already reported is not reported again. Native kqueue re-evaluates on EV_ADD. Both
            // keep the contract (the owner never saw "would block"); the new token is checked below.
            assertTrue(again.isEmpty() || again.equals(Map.of(4L, 2)), again.toString());
        } else {
            assertEquals(Map.of(4L, 2), again, "EV_ADD re-evaluates: current readiness under the new token");
        }
        // Fill the pipe until it would block, then drain it: the new edge carries the new token.
        while (Unistd.write(pipe[1], buf, buf.byteSize()) > 0) {
            // until EAGAIN
        }
        while (poll.poll(events, Duration.ofMillis(20)) > 0) {
            // forget what the writes raised
        }
        drain();
        assertEquals(Map.of(4L, 2), expect(Want.writable(4)));
        poll.registry().deregister(w);
    }

    @Test
    void reregisterDeletesTheFilterNoLongerWanted() throws IOException {
        SourceFd r = new SourceFd(pipe[0]);
        poll.registry().register(r, Token.of(1), Interest.READABLE);
        poll.registry().reregister(r, Token.of(2), Interest.WRITABLE);   // EVFILT_READ deleted
        writeByte();
        // A pipe's read end is never writable; with the read filter gone nothing is reported.
        assertEquals(0, poll.poll(events, Duration.ofMillis(50)));
        poll.registry().reregister(r, Token.of(3), Interest.READABLE);   // ENOENT on the write delete: ignored
        assertEquals(Map.of(3L, 1), expect(Want.readable(3)));
        poll.registry().deregister(r);
    }

    @Test
    void deregisterSilencesTheSource() throws IOException {
        SourceFd r = new SourceFd(pipe[0]);
        poll.registry().register(r, Token.of(5), Interest.READABLE);
        poll.registry().deregister(r);
        writeByte();
        assertEquals(0, poll.poll(events, Duration.ofMillis(50)));
        poll.registry().register(r, Token.of(6), Interest.READABLE);
        assertEquals(Map.of(6L, 1), expect(Want.readable(6)), "registering again reports pending data");
        poll.registry().deregister(r);
    }

    @Test
    void closedWriteEndIsReadClosed() throws IOException {
        int[] p = FdOpen.pipe();
        try {
            poll.registry().register(new SourceFd(p[0]), Token.of(9), Interest.READABLE);
            Unistd.close(p[1]);
            p[1] = -1;
            int bits = expect(new Want(9, PollAssert.READ_CLOSED)).get(9L);   // EV_EOF on EVFILT_READ
            assertEquals(0, bits & PollAssert.ERROR, "a plain hang-up is no error: " + PollAssert.describe(bits));
            assertEquals(0, Unistd.read(p[0], buf, 1), "and the read returns end of file");
            poll.registry().deregister(new SourceFd(p[0]));
        } finally {
            Unistd.close(p[0]);
            if (p[1] >= 0) {
                Unistd.close(p[1]);
            }
        }
    }

    @Test
    void closedReadEndIsWriteClosed() throws IOException {
        int[] p = FdOpen.pipe();
        try {
            poll.registry().register(new SourceFd(p[1]), Token.of(8), Interest.WRITABLE);
            assertEquals(Map.of(8L, 2), expect(Want.writable(8)));
            Unistd.close(p[0]);
            p[0] = -1;
            expect(new Want(8, PollAssert.WRITE_CLOSED));   // EV_EOF on EVFILT_WRITE
            poll.registry().deregister(new SourceFd(p[1]));
        } finally {
            Unistd.close(p[1]);
            if (p[0] >= 0) {
                Unistd.close(p[0]);
            }
        }
    }

    @Test
    void doubleRegisterAndUnregisteredAreIllegalState() throws IOException {
        SourceFd r = new SourceFd(pipe[0]);
        IllegalStateException re = assertThrows(IllegalStateException.class,
                () -> poll.registry().reregister(r, Token.of(2), Interest.READABLE));
        assertTrue(re.getMessage().startsWith("not registered"), re.getMessage());
        IllegalStateException de = assertThrows(IllegalStateException.class, () -> poll.registry().deregister(r));
        assertTrue(de.getMessage().contains("(deregister)"), de.getMessage());
        poll.registry().register(r, Token.of(1), Interest.READABLE);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> poll.registry().register(r, Token.of(2), Interest.READABLE));
        assertTrue(e.getMessage().startsWith("already registered"), e.getMessage());
        poll.registry().deregister(r);
        poll.registry().register(r, Token.of(3), Interest.READABLE);   // registrable again
        poll.registry().deregister(r);
    }

    @Test
    void badFdIsTheChangesOwnErrorNamingEbadf() throws IOException {
        int[] p = Unistd.pipe();
        Unistd.close(p[0]);
        Unistd.close(p[1]);
        IOException e = assertThrows(IOException.class,
                () -> poll.registry().register(new SourceFd(p[0]), Token.of(1), Interest.READABLE));
        assertTrue(e.getMessage().contains("kevent failed: EBADF (9)"), e.getMessage());
        // The failed registration is not recorded: registering a live fd of that number works.
        assertThrows(IllegalStateException.class, () -> poll.registry().deregister(new SourceFd(p[0])));
    }

    @Test
    void channelSourcesAreRejectedWithAnExplanation() throws IOException {
        Pipe p = Pipe.open();
        try {
            p.source().configureBlocking(false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> poll.registry().register(new SourceChannel(p.source()), Token.of(1), Interest.READABLE));
            assertTrue(e.getMessage().contains("kqueue backend"), e.getMessage());
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
            int n = poll.poll(events, null);
            t.join();
            assertEquals(1, n);
            assertEquals(99L, events.token(0));
            assertTrue(events.isReadable(0));
            // EV_CLEAR: the trigger was consumed by the report.
            assertEquals(0, poll.poll(events, Duration.ofMillis(30)));
            waker.wake();
            assertEquals(1, poll.poll(events, Duration.ofSeconds(5)), "and a second wake is a second event");
        }
    }

    @Test
    void wakeWithoutWakerTokenIsSwallowed() throws Exception {
        KqueueSelector s = (KqueueSelector) KqueueSelector.open();
        try {
            s.wakeup();
            long[] tokens = new long[4];
            int[] flags = new int[4];
            assertEquals(0, s.select(tokens, flags, TimeUnit.SECONDS.toNanos(5)));
            s.wakerToken(3);
            s.wakeup();
            assertEquals(1, s.select(tokens, flags, -1), "a blocking select returns for the wake-up");
            assertEquals(3, tokens[0]);
        } finally {
            s.close();
        }
    }

    @Test
    void timeoutsWaitAtLeastTheirLengthInNanoseconds() throws IOException {
        poll.registry().register(new SourceFd(pipe[0]), Token.of(1), Interest.READABLE);
        for (long nanos : new long[] {1, 1_000, 999_999, TimeUnit.MILLISECONDS.toNanos(50)}) {
            long start = System.nanoTime();
            assertEquals(0, poll.poll(events, nanos, TimeUnit.NANOSECONDS));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= nanos, nanos + " ns timeout returned after " + waited + " ns");
        }
        poll.registry().deregister(new SourceFd(pipe[0]));
    }

    @Test
    void readyMapping() {
        short read = KQueue.EVFILT_READ;
        short write = KQueue.EVFILT_WRITE;
        assertEquals(Ready.READABLE, KqueueSelector.toReady(read, KQueue.EV_CLEAR, 0));
        assertEquals(Ready.WRITABLE, KqueueSelector.toReady(write, 0, 0));
        assertEquals(Ready.READABLE | Ready.READ_CLOSED, KqueueSelector.toReady(read, KQueue.EV_EOF, 0));
        assertEquals(Ready.WRITABLE | Ready.WRITE_CLOSED, KqueueSelector.toReady(write, KQueue.EV_EOF, 0));
        // EV_EOF with the socket error in fflags (e.g. ECONNRESET) is an error as well.
        assertEquals(Ready.READABLE | Ready.READ_CLOSED | Ready.ERROR, KqueueSelector.toReady(read, KQueue.EV_EOF, 54));
        assertEquals(Ready.WRITABLE | Ready.ERROR, KqueueSelector.toReady(write, KQueue.EV_ERROR, 0));
        assertTrue(KqueueSelector.WAKE_UDATA < 0, "the wake-up's udata can never be a user token");
    }

    /**
     * More fds ready at once, each with both filters, than one batch holds: every one is reported.
     * libkqueue takes as many fds from epoll as there are kevent slots (at most 512), makes two
     * kevents of each, and drops what does not fit for good; the selector asks every registered fd
     * with poll(2) after a full batch. 600 socket pairs, so that even 1,024 slots overflow there.
     */
    @Test
    void moreReadyFdsThanABatchHoldsLoseNothing() throws IOException {
        everyReadyFdIsReported(Events.withCapacity(1024), false);
    }

    /**
     * The same with events that hold 16, and one fd deregistered while its event waits to be
     * handed out: every other fd is reported, that one is not.
     */
    @Test
    void eventsKeptForTheNextPollFollowTheirRegistration() throws IOException {
        everyReadyFdIsReported(events, true);
    }

    private void everyReadyFdIsReported(Events ev, boolean deregisterOne) throws IOException {
        int n = 600;
        int[][] pairs = new int[n][];
        boolean[] deregistered = new boolean[n];
        try {
            for (int i = 0; i < n; i++) {
                pairs[i] = FdOpen.socketpair(io.pollen.sys.unix.SocketAbi.CURRENT.SOCK_STREAM);
                poll.registry().register(new SourceFd(pairs[i][0]), Token.of(i), Interest.READABLE.add(Interest.WRITABLE));
                buf.set(ValueLayout.JAVA_BYTE, 0, (byte) i);
                assertEquals(1, Unistd.write(pairs[i][1], buf, 1));
            }
            Map<Long, Integer> seen = new HashMap<>();
            PollAssert.pollInto(poll, ev, Duration.ofMillis(100), seen);
            long gone = -1;
            if (deregisterOne) {
                for (long t = 0; t < n && gone < 0; t++) {
                    if (!seen.containsKey(t)) {
                        gone = t;   // its event waits: deregistered now, it must not be reported
                        poll.registry().deregister(new SourceFd(pairs[(int) t][0]));
                        deregistered[(int) t] = true;
                    }
                }
            }
            int expected = deregisterOne ? n - 1 : n;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.size() < expected && System.nanoTime() < deadline) {
                PollAssert.pollInto(poll, ev, Duration.ofMillis(100), seen);
            }
            int both = PollAssert.READABLE | PollAssert.WRITABLE;
            for (long t = 0; t < n; t++) {
                if (t != gone) {
                    assertEquals(both, seen.getOrDefault(t, 0) & both,
                            "token " + t + " readable and writable; " + seen.size() + " of " + n + " reported");
                }
            }
            assertTrue(!seen.containsKey(gone), "the deregistered fd is not reported");
        } finally {
            for (int i = 0; i < n && pairs[i] != null; i++) {
                if (!deregistered[i]) {
                    poll.registry().deregister(new SourceFd(pairs[i][0]));
                }
                Unistd.close(pairs[i][0]);
                Unistd.close(pairs[i][1]);
            }
        }
    }
}
