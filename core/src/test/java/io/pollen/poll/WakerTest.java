package io.pollen.poll;

import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Waker}: local and remote wakes, coalescing, a blocked poll returning, one per Poll. */
@Timeout(60)
class WakerTest {
    static final long WAKER = 1000;

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void localWakesCoalesceIntoOneEvent(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Waker waker = new Waker(poll.registry(), Token.of(WAKER))) {
            for (int i = 0; i < 10; i++) {
                waker.wake();
            }
            Events events = Events.withCapacity(16);
            int n = poll.poll(events, Duration.ofSeconds(10));
            assertEquals(1, n, "ten wakes before a poll give one event");
            assertEquals(WAKER, events.token(0));
            assertTrue(events.isReadable(0));
            PollAssert.expectNone(poll, events, Duration.ofMillis(100), WAKER);

            // And it works again after being consumed.
            waker.wake();
            PollAssert.expect(poll, events, Want.readable(WAKER));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void remoteWakesAreSeen(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend); Waker waker = new Waker(poll.registry(), Token.of(WAKER))) {
            Events events = Events.withCapacity(16);
            for (int round = 0; round < 20; round++) {
                CompletableFuture<Void> wake = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < 5; i++) {
                            waker.wake();
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                PollAssert.expect(poll, events, Want.readable(WAKER));
                wake.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aPollBlockedForeverReturnsWhenWoken(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend); Waker waker = new Waker(poll.registry(), Token.of(WAKER))) {
            CompletableFuture<Long> blocked = PollAssert.blockedPoller(poll);
            Thread.sleep(100); // let it block in the kernel
            waker.wake();
            assertEquals(WAKER, blocked.get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void oneWakerPerPollAndAClosedWakerRefusesToWake(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend)) {
            Waker first = new Waker(poll.registry(), Token.of(1));
            assertThrows(IllegalStateException.class, () -> new Waker(poll.registry(), Token.of(2)));
            first.close();
            assertThrows(IllegalStateException.class, first::wake);
            try (Waker second = new Waker(poll.registry(), Token.of(2))) {
                second.wake();
                Events events = Events.withCapacity(4);
                java.util.Map<Long, Integer> seen = PollAssert.expect(poll, events, Want.readable(2));
                assertTrue(!seen.containsKey(1L), PollAssert.describe(seen));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aWakeWithoutAWakerIsReportedAsNothing(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend)) {
            Waker waker = new Waker(poll.registry(), Token.of(3));
            waker.wake();
            waker.close(); // the pending wake now has no token to report
            Events events = Events.withCapacity(4);
            PollAssert.expectNone(poll, events, Duration.ofMillis(100), 3);
        }
    }
}
