package io.pollen.poll;

import io.pollen.net.UdpSocket;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The race: several threads register, reregister and deregister at once while another thread
 * polls. Nothing may throw except the documented misuse, no deregistered token may come back, and
 * every final registration must be honoured.
 */
@Timeout(120)
class ConcurrentRegistrationTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void registerReregisterDeregisterFromSeveralThreadsWhilePolling(Backend backend) throws Exception {
        int threads = 4;
        int perThread = 8;
        List<UdpSocket> sockets = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try (Poll poll = Poll.open(backend)) {
            for (int i = 0; i < threads * perThread; i++) {
                sockets.add(UdpSocket.bind(Loopback.any(), backend));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger polled = new AtomicInteger();
            Future<?> poller = pool.submit(() -> {
                Events events = Events.withCapacity(64);
                while (!stop.get()) {
                    poll.poll(events, Duration.ofMillis(5));
                    polled.addAndGet(events.size());
                }
                return null;
            });
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<UdpSocket> mine = sockets.subList(t * perThread, (t + 1) * perThread);
                int base = t * perThread;
                workers.add(pool.submit(() -> {
                    go.await();
                    for (int round = 0; round < 200; round++) {
                        for (int i = 0; i < mine.size(); i++) {
                            UdpSocket s = mine.get(i);
                            poll.registry().register(s, Token.of(base + i), Interest.WRITABLE);
                            poll.registry().reregister(s, Token.of(base + i), Interest.READABLE.add(Interest.WRITABLE));
                            poll.registry().deregister(s);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
            stop.set(true);
            poller.get(10, TimeUnit.SECONDS);

            // Everything is deregistered now: silence. Then a final registration of each is honoured.
            Events events = Events.withCapacity(64);
            PollAssert.expectNoEvents(poll, events, Duration.ofMillis(150));
            Want[] wants = new Want[sockets.size()];
            for (int i = 0; i < sockets.size(); i++) {
                poll.registry().register(sockets.get(i), Token.of(1000 + i), Interest.WRITABLE);
                wants[i] = Want.writable(1000 + i);
            }
            var seen = PollAssert.expect(poll, events, wants);
            assertFalse(seen.keySet().stream().anyMatch(t -> t < 1000), PollAssert.describe(seen));
        } finally {
            pool.shutdownNow();
            for (UdpSocket s : sockets) {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void twoThreadsRegisteringOneSourceExactlyOneWins(Backend backend) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Poll poll = Poll.open(backend)) {
            for (int round = 0; round < 200; round++) {
                try (UdpSocket s = UdpSocket.bind(Loopback.any(), backend)) {
                    CountDownLatch go = new CountDownLatch(1);
                    AtomicInteger won = new AtomicInteger();
                    AtomicInteger refused = new AtomicInteger();
                    List<Future<?>> racers = new ArrayList<>();
                    for (int t = 0; t < 2; t++) {
                        long token = t;
                        racers.add(pool.submit(() -> {
                            go.await();
                            try {
                                poll.registry().register(s, Token.of(token), Interest.READABLE);
                                won.incrementAndGet();
                            } catch (IllegalStateException alreadyRegistered) {
                                refused.incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    go.countDown();
                    for (Future<?> r : racers) {
                        r.get(10, TimeUnit.SECONDS);
                    }
                    assertEquals(1, won.get(), "round " + round);
                    assertEquals(1, refused.get(), "round " + round);
                    poll.registry().deregister(s);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

}
