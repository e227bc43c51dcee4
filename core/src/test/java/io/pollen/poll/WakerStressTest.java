package io.pollen.poll;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No lost wake-up: a producer thread does {@code counter++} then {@link Waker#wake()} a million
 * times; the poller loops until it has observed the final counter. A lost wake would leave the
 * poller asleep although the counter moved: a poll that times out while the counter is ahead of
 * what the poller last saw fails the test at once (and {@code @Timeout} stops any hang).
 */
@Timeout(300)
class WakerStressTest {
    private static final long WAKES = 1_000_000;
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(10);

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void noLostWakeUpOverAMillionCrossThreadWakes(Backend backend) throws Exception {
        Poll poll;
        try {
            poll = Poll.open(backend);
        } catch (UnsupportedOperationException notBuiltHere) {
            assumeTrue(false, backend + " is not built on this branch: " + notBuiltHere.getMessage());
            return;
        }
        AtomicLong counter = new AtomicLong();
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        try (poll; Waker waker = new Waker(poll.registry(), Token.of(0))) {
            Events events = Events.withCapacity(8);
            Thread producer = Thread.ofPlatform().name("waker-stress-producer").start(() -> {
                try {
                    for (long i = 0; i < WAKES; i++) {
                        counter.incrementAndGet();
                        waker.wake();
                    }
                } catch (Throwable t) {
                    producerError.set(t);
                }
            });
            long seen = 0;
            long polls = 0;
            while (seen < WAKES) {
                long atStart = counter.get();
                long t0 = System.nanoTime();
                int n = poll.poll(events, POLL_TIMEOUT);
                long waited = System.nanoTime() - t0;
                polls++;
                if (n == 0 && atStart > seen && waited >= POLL_TIMEOUT.toNanos()) {
                    fail("lost wake-up on " + backend + ": counter was " + atStart + " when the poll began, the poller"
                            + " had seen " + seen + ", and the poll slept its whole timeout");
                }
                if (producerError.get() != null) {
                    fail("producer failed", producerError.get());
                }
                if (n > 0) {
                    // The wake-up announced work: look at the counter now, as a Reactor looks at its queue.
                    seen = counter.get();
                }
            }
            producer.join(TimeUnit.SECONDS.toMillis(60));
            assertNull(producerError.get());
            assertEquals(WAKES, seen);
            assertEquals(WAKES, counter.get());
            System.out.println(backend + ": " + WAKES + " wakes observed in " + polls + " polls");
        }
    }
}
