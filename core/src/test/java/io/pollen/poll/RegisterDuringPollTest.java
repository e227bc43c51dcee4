package io.pollen.poll;

import io.pollen.net.UdpSocket;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The race: a thread is blocked in {@code poll} (no timeout) when another thread registers (or
 * re-registers) a source that is already ready. The blocked poll, or the next one, must report it;
 * on java.nio this needs a wake-up, since interest changes are applied only when a select starts.
 */
@Timeout(60)
class RegisterDuringPollTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aRegistrationFromAnotherThreadWakesTheBlockedPoll(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend); UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            CompletableFuture<Long> poller = PollAssert.blockedPoller(poll);
            Thread.sleep(100); // the poller is (very likely) blocked by now
            poll.registry().register(socket, Token.of(5), Interest.WRITABLE);
            assertEquals(5L, poller.get(20, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aReregistrationAddingInterestWakesTheBlockedPoll(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend); UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(socket, Token.of(1), Interest.READABLE); // silent: no data
            CompletableFuture<Long> poller = PollAssert.blockedPoller(poll);
            Thread.sleep(100);
            poll.registry().reregister(socket, Token.of(6), Interest.WRITABLE);
            assertEquals(6L, poller.get(20, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void manyRegistrationsWhileBlockedAreAllSeen(Backend backend) throws Exception {
        UdpSocket[] sockets = new UdpSocket[20];
        try (Poll poll = Poll.open(backend)) {
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = UdpSocket.bind(Loopback.any(), backend);
            }
            java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            CountDownLatch polling = new CountDownLatch(1);
            CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> {
                Events events = Events.withCapacity(4);
                polling.countDown();
                try {
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (seen.size() < sockets.length && System.nanoTime() < deadline) {
                        poll.poll(events, null); // no timeout: only registrations can end it
                        for (int i = 0; i < events.size(); i++) {
                            seen.add(events.token(i));
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            polling.await();
            for (int i = 0; i < sockets.length; i++) {
                poll.registry().register(sockets[i], Token.of(100 + i), Interest.WRITABLE);
                if (i % 5 == 0) {
                    Thread.sleep(10);
                }
            }
            poller.get(30, TimeUnit.SECONDS);
            assertEquals(sockets.length, seen.size());
            assertTrue(seen.stream().allMatch(t -> t >= 100 && t < 100 + sockets.length), seen.toString());
        } finally {
            for (UdpSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

}
