package io.pollen.poll;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The race: {@code Waker.wake()} after, or while, its Poll closes. A wake after close throws
 * {@link PollClosedException}; a wake racing with close either succeeds or throws that, never
 * touches a released backend (no crash, no hang, no leaked fd).
 */
@Timeout(60)
class WakeupAfterCloseTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aWakeAfterCloseThrowsPollClosed(Backend backend) throws IOException {
        Poll poll = Poll.open(backend);
        Waker waker = new Waker(poll.registry(), Token.of(1));
        poll.close();
        assertThrows(PollClosedException.class, waker::wake);
        waker.close(); // still allowed, and quiet
    }

    /** A coalesced wake (one already pending, not yet polled) must not hide that the Poll closed. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aWakeAfterCloseThrowsPollClosedEvenWithAWakePending(Backend backend) throws IOException {
        Poll poll = Poll.open(backend);
        Waker waker = new Waker(poll.registry(), Token.of(1));
        waker.wake(); // pending: no poll has returned since
        poll.close();
        assertThrows(PollClosedException.class, waker::wake);
        waker.close();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void wakesRacingWithCloseSucceedOrThrowPollClosed(Backend backend) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 300; round++) {
                Poll poll = Poll.open(backend);
                Waker waker = new Waker(poll.registry(), Token.of(1));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> wakers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    wakers.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 50; i++) {
                            try {
                                waker.wake();
                            } catch (PollClosedException closed) {
                                return null;
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                poll.close();
                for (Future<?> w : wakers) {
                    w.get(10, TimeUnit.SECONDS); // any other exception fails the test here
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
