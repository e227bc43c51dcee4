package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Source;
import io.pollen.poll.spi.Driver;
import io.pollen.poll.spi.Drivers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The loop's side of the driver seam: one wake flag, so one system call per parked run at most. */
@Timeout(60)
class IoDriverTest {
    /** A real driver that counts the wake-ups reaching it and says when a run has begun. */
    static final class Counting implements Driver {
        final Driver real;
        final AtomicInteger wakeups = new AtomicInteger();
        final CountDownLatch running = new CountDownLatch(1);

        Counting(Driver real) {
            this.real = real;
        }

        @Override
        public Backend backend() {
            return real.backend();
        }

        @Override
        public void register(Source source, long token, Interest interest) throws IOException {
            real.register(source, token, interest);
        }

        @Override
        public void reregister(Source source, long token, Interest interest) throws IOException {
            real.reregister(source, token, interest);
        }

        @Override
        public void deregister(Source source) throws IOException {
            real.deregister(source);
        }

        @Override
        public int run(long timeoutNanos, Dispatch dispatch) throws IOException {
            running.countDown();
            return real.run(timeoutNanos, dispatch);
        }

        @Override
        public void wakeup() {
            wakeups.incrementAndGet();
            real.wakeup();
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void wakeupsWhileTheOwnerRunsCostNoSystemCall(Backend backend) throws Exception {
        Counting d = new Counting(Drivers.open(backend, 16));
        IoDriver io = new IoDriver(d, Runnable::run, () -> false, Throwable::printStackTrace);
        try {
            for (int i = 0; i < 1_000; i++) {
                io.wakeup();
            }
            assertEquals(0, d.wakeups.get(), "the owner is not parked: nothing reaches the driver");
            io.run(0);
            io.wakeup();
            assertEquals(0, d.wakeups.get(), "a run that only looks does not park");
        } finally {
            io.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void manyWakeupsOfAParkedOwnerMakeOneSystemCallAndEndTheRun(Backend backend) throws Exception {
        Counting d = new Counting(Drivers.open(backend, 16));
        IoDriver io = new IoDriver(d, Runnable::run, () -> false, Throwable::printStackTrace);
        try {
            Thread owner = Thread.ofPlatform().start(() -> io.run(-1));
            d.running.await();
            Thread[] wakers = new Thread[4];
            for (int i = 0; i < wakers.length; i++) {
                wakers[i] = Thread.ofPlatform().start(() -> {
                    for (int k = 0; k < 1_000; k++) {
                        io.wakeup();
                    }
                });
            }
            for (Thread t : wakers) {
                t.join();
            }
            owner.join(10_000);
            assertFalse(owner.isAlive(), "the parked run was woken");
            assertEquals(1, d.wakeups.get(), "4,000 wake-ups of one parked run coalesce into one");
        } finally {
            io.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void workHandedOverBeforeParkingIsSeenWithoutAWakeup(Backend backend) throws Exception {
        Counting d = new Counting(Drivers.open(backend, 16));
        AtomicInteger checks = new AtomicInteger();
        // The owner's queue is not empty: the run that was to block only looks.
        IoDriver io = new IoDriver(d, Runnable::run, () -> checks.incrementAndGet() > 0, Throwable::printStackTrace);
        try {
            io.run(-1);
            assertEquals(1, checks.get(), "a blocking run re-checks the owner's work after parking");
            assertEquals(0, d.wakeups.get());
        } finally {
            io.close();
        }
    }
}
