package io.pollen.poll.uring;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.poll.spi.Ready;
import io.pollen.sys.unix.Unistd;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the io_uring backend has to get right under the Poll contract: stale completions after
 * an fd number is reused, re-arming polls the kernel ended, polls that hold their file until
 * deregistered or the ring closes, an fd that is not open, and the clear refusal where io_uring is
 * unavailable. The Poll suite runs on io_uring through {@code TestBackends} besides.
 */
class UringSelectorTest extends UringTestCase {
    private static List<long[]> select(UringSelector s, long timeoutNanos) throws IOException {
        long[] tokens = new long[64];
        int[] flags = new int[64];
        int n = s.select(tokens, flags, timeoutNanos);
        List<long[]> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            got.add(new long[] {tokens[i], flags[i]});
        }
        return got;
    }

    private static boolean hasToken(List<long[]> events, long token) {
        return events.stream().anyMatch(e -> e[0] == token);
    }

    @Test
    void aReusedFdNumberNeverReportsTheOldRegistration() throws IOException {
        try (UringSelector s = UringSelector.open()) {
            select(s, 0);                    // this thread polls: its registrations are submitted at once
            int old = UringTests.eventfd();
            s.register(old, 1, Ready.INTEREST_READABLE);
            UringTests.signal(old);          // a completion for token 1 is (or will be) in the ring, unread
            s.deregister(old);
            Unistd.close(old);
            int reused = UringTests.eventfd();
            try {
                assertEquals(old, reused, "the kernel hands out the lowest free number");
                s.register(reused, 2, Ready.INTEREST_READABLE);
                List<long[]> first = select(s, 50_000_000L);
                assertFalse(hasToken(first, 1), "the old registration's completion is stale");
                assertTrue(first.isEmpty(), "the new eventfd is not readable yet");
                UringTests.signal(reused);
                List<long[]> second = select(s, 1_000_000_000L);
                assertTrue(hasToken(second, 2) && !hasToken(second, 1));
            } finally {
                s.deregister(reused);
                Unistd.close(reused);
            }
        }
    }

    @Test
    void aReregisteredSourceReportsOnlyItsNewToken() throws IOException {
        try (UringSelector s = UringSelector.open()) {
            select(s, 0);
            int efd = UringTests.eventfd();
            try {
                s.register(efd, 1, Ready.INTEREST_READABLE);
                UringTests.signal(efd);
                s.reregister(efd, 2, Ready.INTEREST_READABLE | Ready.INTEREST_WRITABLE);
                List<long[]> got = select(s, 1_000_000_000L);
                assertFalse(hasToken(got, 1));
                assertTrue(hasToken(got, 2), "the new poll sees the eventfd ready at once");
            } finally {
                s.deregister(efd);
                Unistd.close(efd);
            }
        }
    }

    @Test
    void aPollTheKernelEndsIsArmedAgain() throws IOException {
        try (UringSelector s = UringSelector.open(4, 8)) {
            select(s, 0);   // this thread polls: the registration is armed before the flood
            int efd = UringTests.eventfd();
            try {
                s.register(efd, 5, Ready.INTEREST_READABLE);
                for (int i = 0; i < 40; i++) {
                    UringTests.signal(efd);   // more wake-ups than CQEs: the kernel ends the multishot poll
                }
                int events = 0;
                List<long[]> got;
                while (!(got = select(s, 0)).isEmpty()) {
                    events += got.size();
                }
                assertTrue(events >= 1, "the flood was reported (its CQEs coalesce into one event per select)");
                assertTrue(s.rearms() >= 1, "the ended poll was added again");
                assertEquals(0, s.ring().dropped());
                UringTests.signal(efd);
                assertTrue(hasToken(select(s, 1_000_000_000L), 5), "the re-armed poll reports new readiness");
            } finally {
                s.deregister(efd);
                Unistd.close(efd);
            }
        }
    }

    @Test
    void anFdThatIsNotOpenIsReportedAsAnErrorOnce() throws IOException {
        try (UringSelector s = UringSelector.open()) {
            int efd = UringTests.eventfd();
            Unistd.close(efd);
            s.register(efd, 9, Ready.INTEREST_READABLE);
            List<long[]> got = select(s, 1_000_000_000L);
            assertEquals(1, got.size());
            assertEquals(9, got.get(0)[0]);
            assertEquals(Ready.ERROR, got.get(0)[1]);
            assertTrue(select(s, 20_000_000L).isEmpty(), "reported once, not re-armed into a loop");
            s.deregister(efd);
            assertThrows(IllegalStateException.class, () -> s.deregister(efd));
        }
    }

    @Test
    void closingThePollCancelsItsPollsAndReleasesTheirSockets() throws Exception {
        try (Loopback.Pair pair = Loopback.pair(Backend.IO_URING)) {
            Poll poll = Poll.open(Backend.IO_URING);
            ByteBuffer buf = ByteBuffer.allocate(16);
            try {
                poll.poll(Events.withCapacity(4), java.time.Duration.ZERO);   // this thread polls: it submits
                poll.registry().register(pair.server(), Token.of(1), Interest.READABLE);
                pair.server().close();   // without deregistering: the in-flight poll still holds the socket
                Loopback.sleep(50);
                assertEquals(0, pair.client().read(buf), "no end of stream while the poll holds the socket");
            } finally {
                poll.close();            // closes the ring: the kernel cancels the poll and drops the file
            }
            int r = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((r = pair.client().read(buf)) == 0 && System.nanoTime() < deadline) {
                Loopback.sleep(5);
            }
            assertEquals(-1, r, "the peer sees the close once the ring is gone");
        }
    }

    @Test
    void deregisterBeforeCloseReleasesTheSocketAtOnce() throws Exception {
        try (Loopback.Pair pair = Loopback.pair(Backend.IO_URING); Poll poll = Poll.open(Backend.IO_URING)) {
            poll.poll(Events.withCapacity(4), java.time.Duration.ZERO);
            poll.registry().register(pair.server(), Token.of(1), Interest.READABLE);
            poll.registry().deregister(pair.server());
            pair.server().close();
            ByteBuffer buf = ByteBuffer.allocate(16);
            int r = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((r = pair.client().read(buf)) == 0 && System.nanoTime() < deadline) {
                Loopback.sleep(5);
            }
            assertEquals(-1, r);
            Events events = Events.withCapacity(8);
            poll.poll(events, java.time.Duration.ofMillis(20));
            assertTrue(events.isEmpty(), "no event after deregister");
        }
    }

    @Test
    void aRegistrationFromAnotherThreadIsHandedToThePoller() throws Exception {
        try (UringSelector s = UringSelector.open()) {
            select(s, 0);                          // this thread is the poller
            int efd = UringTests.eventfd();
            try {
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        s.register(efd, 3, Ready.INTEREST_READABLE);
                        UringTests.signal(efd);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                other.join(10_000);
                long enters = s.ring().enterCalls();
                List<long[]> got = new ArrayList<>();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!hasToken(got, 3) && System.nanoTime() < deadline) {
                    got.addAll(select(s, 1_000_000_000L));
                }
                assertTrue(hasToken(got, 3), "the poller submitted the other thread's registration");
                assertTrue(s.ring().enterCalls() > enters, "submitted by this thread's select");
            } finally {
                s.deregister(efd);
                Unistd.close(efd);
            }
        }
    }

    @Test
    void askingForABackendThatCannotRunSaysWhy() {
        String before = System.getProperty("pollen.backend");
        try {
            System.setProperty("pollen.backend", "io_uring");
            assertEquals(Backend.IO_URING, Backend.select());
            if (!Backend.KQUEUE.isAvailable()) { // with -Dpollen.kqueue.library it runs: nothing to refuse
                System.setProperty("pollen.backend", "kqueue");
                IllegalStateException e = assertThrows(IllegalStateException.class, Backend::select);
                assertTrue(e.getMessage().contains("-Dpollen.backend=kqueue is not available")
                        && e.getMessage().endsWith(Backend.KQUEUE.unavailableReason()), e.getMessage());
            }
        } finally {
            if (before == null) {
                System.clearProperty("pollen.backend");
            } else {
                System.setProperty("pollen.backend", before);
            }
        }
        assertEquals(Backend.EPOLL, Backend.platformDefault(), "the automatic choice stays epoll");
    }

    @Test
    void aRefusedSetupIsExplained() {
        var enosys = io.pollen.sys.unix.Native.error("io_uring_setup", io.pollen.sys.unix.Errno.ENOSYS);
        String hidden = UringSupport.refused(enosys, "0");
        assertTrue(hidden.contains("(ENOSYS)") && hidden.contains("without io_uring") && hidden.contains("seccomp"), hidden);
        var eperm = io.pollen.sys.unix.Native.error("io_uring_setup", io.pollen.sys.unix.Errno.EPERM);
        String group = UringSupport.refused(eperm, "1");
        assertTrue(group.contains("(EPERM)") && group.contains("kernel.io_uring_disabled=1")
                && group.contains("kernel.io_uring_group"), group);
        // The sysctl allows it, so the refusal is a filter's: say which one people meet, and the fix.
        String filtered = UringSupport.refused(eperm, "0");
        assertTrue(filtered.contains("(EPERM)") && filtered.contains("seccomp") && filtered.contains("Docker")
                && filtered.contains("allows them"), filtered);
        String unknown = UringSupport.refused(eperm, null);
        assertTrue(unknown.contains("kernel.io_uring_disabled=?") && unknown.contains("seccomp"), unknown);
    }

    @Test
    void theBackendIsNamedAndDeclaresWhatClosingDoes() {
        assertEquals(Backend.IO_URING, Backend.byName("io_uring"));
        assertTrue(Backend.IO_URING.isAvailable());
        assertEquals(null, Backend.IO_URING.unavailableReason());
        assertFalse(Backend.IO_URING.closeDeregisters());
        assertTrue(Backend.EPOLL.closeDeregisters());
        assertTrue(Backend.IO_URING.nativeSockets());
    }
}
