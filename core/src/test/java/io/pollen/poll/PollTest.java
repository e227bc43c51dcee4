package io.pollen.poll;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.net.UdpSocket;
import io.pollen.testing.Fds;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Poll}: timeouts, one poller at a time, lifecycle, and no leaks over many cycles. */
@Timeout(60)
class PollTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void emptyPollTimesOut(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend)) {
            assertEquals(backend, poll.backend());
            Events events = Events.withCapacity(16);
            long start = System.nanoTime();
            int n = poll.poll(events, Duration.ofMillis(50));
            long waited = System.nanoTime() - start;
            assertEquals(0, n);
            assertEquals(0, events.size());
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(50), "returned after " + waited + " ns");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void subMillisecondTimeoutIsRoundedUpNotDown(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend)) {
            Events events = Events.withCapacity(16);
            // 1 ns must not become "0 = forever" (nio) nor a busy spin; it returns, with nothing.
            assertEquals(0, poll.pollNanos(events, 1));
            assertEquals(0, poll.poll(events, 1, TimeUnit.MICROSECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void zeroTimeoutStillPolls(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend);
             UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(socket, Token.of(7), Interest.WRITABLE);
            Events events = Events.withCapacity(16);
            int n = poll.poll(events, Duration.ZERO);
            assertEquals(1, n, "a zero timeout still collects ready events");
            assertEquals(7, events.token(0));
            assertTrue(events.isWritable(0));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void nullTimeoutWaitsForAnEvent(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend);
             UdpSocket receiver = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket sender = UdpSocket.bind(Loopback.any(), backend)) {
            poll.registry().register(receiver, Token.of(1), Interest.READABLE);
            CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
                Loopback.sleep(50);
                try {
                    sender.sendTo(Loopback.ascii("x"), receiver.localAddress());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Events events = Events.withCapacity(16);
            int n;
            do {
                n = poll.poll(events, null);
            } while (n == 0); // spurious returns are allowed
            assertEquals(1, events.token(0));
            assertTrue(events.isReadable(0));
            send.get(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void secondConcurrentPollerIsRefused(Backend backend) throws Exception {
        try (Poll poll = Poll.open(backend); Waker waker = new Waker(poll.registry(), Token.of(99))) {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    int n;
                    Events events = Events.withCapacity(4);
                    do {
                        n = poll.poll(events, Duration.ofSeconds(20));
                    } while (n == 0);
                    return n;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            started.await();
            Loopback.sleep(100);
            assertThrows(IllegalStateException.class, () -> poll.poll(Events.withCapacity(4), Duration.ZERO));
            waker.wake();
            assertEquals(1, first.get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeIsIdempotentAndLaterCallsThrow(Backend backend) throws IOException {
        Poll poll = Poll.open(backend);
        Events events = Events.withCapacity(4);
        assertFalse(poll.isClosed());
        poll.close();
        poll.close();
        assertTrue(poll.isClosed());
        assertThrows(PollClosedException.class, () -> poll.poll(events, Duration.ZERO));
        try (UdpSocket socket = UdpSocket.bind(Loopback.any(), backend)) {
            assertThrows(PollClosedException.class,
                    () -> poll.registry().register(socket, Token.of(1), Interest.READABLE));
            assertThrows(PollClosedException.class, () -> poll.registry().deregister(socket));
        }
        assertThrows(PollClosedException.class, () -> new Waker(poll.registry(), Token.of(1)));
    }

    /** Many Polls and sockets opened, registered, used and closed leave no fd behind. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void twoThousandOpenCloseCyclesLeakNothing(Backend backend) throws IOException {
        Fds.Snapshot local = Fds.snapshot();
        Events events = Events.withCapacity(8);
        try (TcpListener listener = TcpListener.bind(Loopback.any(), backend)) {
            for (int i = 0; i < 2000; i++) {
                try (Poll poll = Poll.open(backend);
                     Waker waker = new Waker(poll.registry(), Token.of(0));
                     UdpSocket udp = UdpSocket.bind(Loopback.any(), backend);
                     TcpStream client = TcpStream.connect(listener.localAddress(), backend);
                     TcpStream server = Loopback.acceptWithin(listener, 10_000)) {
                    poll.registry().register(udp, Token.of(1), Interest.WRITABLE);
                    poll.registry().register(client, Token.of(2), Interest.WRITABLE);
                    poll.registry().register(server, Token.of(3), Interest.READABLE);
                    waker.wake();
                    PollAssert.expect(poll, events, Want.writable(1), Want.writable(2), Want.readable(0));
                    if (i % 2 == 0) {
                        poll.registry().deregister(client); // the other half closes while registered
                    }
                }
            }
        }
        local.assertNoLeak();
    }
}
