package io.pollen.poll;

import io.pollen.net.UdpSocket;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The race: {@code Poll.close()} while another thread is blocked in {@code poll}. The blocked poll
 * returns promptly with no events; every later call throws {@link PollClosedException}; nothing
 * leaks (the backend is released by whichever thread finishes last).
 */
@Timeout(60)
class CloseDuringPollTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeMakesABlockedPollReturnAndLaterCallsThrow(Backend backend) throws Exception {
        Poll poll = Poll.open(backend);
        try (UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(socket, Token.of(1), Interest.READABLE);
            CountDownLatch polling = new CountDownLatch(1);
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                Events events = Events.withCapacity(4);
                polling.countDown();
                try {
                    return poll.poll(events, null);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            polling.await();
            Thread.sleep(100);
            poll.close();
            assertEquals(0, blocked.get(10, TimeUnit.SECONDS), "a closed Poll reports no events");
            assertTrue(poll.isClosed());
            Events events = Events.withCapacity(4);
            assertThrows(PollClosedException.class, () -> poll.poll(events, Duration.ZERO));
            assertThrows(PollClosedException.class,
                    () -> poll.registry().reregister(socket, Token.of(2), Interest.WRITABLE));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeRacingWithPollsNeverHangsOrLeaks(Backend backend) throws Exception {
        for (int round = 0; round < 200; round++) {
            Poll poll = Poll.open(backend);
            CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> {
                Events events = Events.withCapacity(4);
                try {
                    while (true) {
                        poll.poll(events, null);
                    }
                } catch (PollClosedException expected) {
                    // the loop's way out
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            if (round % 2 == 0) {
                Thread.sleep(1);
            }
            poll.close();
            poller.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The race: {@code close()} marks the Poll closed while a poll is in flight, the poll then ends
     * and releases the backend, and only afterwards does {@code close()} send its wake-up. That
     * wake-up must not reach a released backend (on epoll: a write to a closed, maybe reused, fd).
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeNeverWakesABackendThePollerAlreadyReleased(Backend backend) throws Exception {
        for (int round = 0; round < 3000; round++) {
            Poll poll = Poll.open(backend);
            CountDownLatch spinning = new CountDownLatch(1);
            CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> {
                Events events = Events.withCapacity(4);
                try {
                    while (true) {
                        poll.pollNanos(events, 0);   // in and out of the backend as fast as possible
                        spinning.countDown();
                    }
                } catch (PollClosedException expected) {
                    // the loop's way out
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            spinning.await();
            poll.close();   // threw "write failed: EBADF" when it woke a released epoll backend
            poller.get(10, TimeUnit.SECONDS);
        }
    }
}
