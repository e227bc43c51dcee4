package io.pollen.poll.spi;

import io.pollen.net.UdpSocket;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.testing.Loopback;
import io.pollen.testing.TestBackends;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Driver} contract, checked on every driver of this machine: what a new driver (kqueue,
 * io_uring) must pass before the runtime runs on it. Add a driver by adding it to
 * {@link #drivers()}; every test opens its own driver and closes it.
 */
@Timeout(60)
class DriverContractTest {
    /** A driver to test: its name (for the report), its backend, how to open one. */
    record Candidate(String name, Backend backend, Opener opener) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Opener {
        Driver open() throws IOException;
    }

    /** Every driver available here: today the readiness driver over each backend's selector. */
    static Stream<Arguments> drivers() {
        return TestBackends.all().map(b -> Arguments.of(new Candidate("readiness/" + b.id(), b,
                () -> Drivers.open(b, 64))));
    }

    /** Records what the driver dispatched. */
    static class Recorder implements Driver.Dispatch {
        final List<long[]> reports = new ArrayList<>();
        int awakes;

        @Override
        public void awake() {
            awakes++;
        }

        @Override
        public void ready(long token, int readyBits) {
            reports.add(new long[]{token, readyBits});
        }

        boolean saw(long token) {
            return reports.stream().anyMatch(r -> r[0] == token);
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aRunWithATimeoutReturnsByItAndAZeroRunOnlyLooks(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try {
            Recorder r = new Recorder();
            assertEquals(0, d.run(0, r), "nothing registered, nothing to report");
            assertEquals(0, d.run(30_000_000L, r), "a timed run with nothing ready reports nothing");
            assertEquals(0, d.run(1, r), "a 1 ns run rounds up, never down to a busy spin, and returns");
            assertTrue(r.awakes >= 1, "awake() is called once the wait is over");
            assertTrue(r.reports.isEmpty());
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aWakeupFromAnotherThreadEndsABlockedRun(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try {
            CountDownLatch running = new CountDownLatch(1);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicInteger reported = new AtomicInteger(-1);
            Thread runner = Thread.ofPlatform().start(() -> {
                running.countDown();
                try {
                    reported.set(d.run(-1, new Recorder()));
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            running.await();
            Loopback.sleep(50); // let it block (a wake-up before the run must end it too: below)
            d.wakeup();
            runner.join(10_000);
            assertFalse(runner.isAlive(), "a wake-up from another thread ends a run that waits without limit");
            assertNull(failed.get());
            assertEquals(0, reported.get(), "a wake-up is not a report");
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aWakeupBeforeTheRunIsNotLostAndManyEndOneRunAtLeast(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try {
            Recorder r = new Recorder();
            d.wakeup();
            assertEquals(0, d.run(-1, r), "the wake-up sent before the run ends it");
            // Many wake-ups from many threads: each run that follows returns, none hangs.
            Thread[] senders = new Thread[4];
            for (int i = 0; i < senders.length; i++) {
                senders[i] = Thread.ofPlatform().start(() -> {
                    for (int k = 0; k < 2_000; k++) {
                        d.wakeup();
                    }
                });
            }
            for (Thread t : senders) {
                t.join();
            }
            d.run(-1, r);
            d.run(0, r);
            assertTrue(r.reports.isEmpty(), "wake-ups are never reported as events");
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aRegisteredSourceIsDispatchedWithItsTokenAndReadyBits(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try (UdpSocket rx = UdpSocket.bind(Loopback.any(), c.backend());
             UdpSocket tx = UdpSocket.bind(Loopback.any(), c.backend())) {
            d.register(rx, 7, Interest.READABLE);
            tx.sendTo(Loopback.ascii("hi"), rx.localAddress());
            Recorder r = runUntil(d, rec -> rec.saw(7));
            long bits = r.reports.stream().filter(e -> e[0] == 7).findFirst().orElseThrow()[1];
            assertTrue((bits & Ready.READABLE) != 0, "readable, as spi.Ready bits: " + bits);
            assertEquals(tx.localAddress().getPort(), rx.receiveFrom(ByteBuffer.allocate(16)).getPort(),
                    "the report was for the datagram sent");
            d.deregister(rx);
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void afterDeregisterOrReregisterTheOldTokenIsNeverReported(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try (UdpSocket a = UdpSocket.bind(Loopback.any(), c.backend());
             UdpSocket b = UdpSocket.bind(Loopback.any(), c.backend());
             UdpSocket tx = UdpSocket.bind(Loopback.any(), c.backend())) {
            d.register(a, 1, Interest.READABLE);
            d.register(b, 2, Interest.READABLE);
            d.deregister(a);
            d.reregister(b, 3, Interest.READABLE);
            tx.sendTo(Loopback.ascii("x"), a.localAddress());
            tx.sendTo(Loopback.ascii("y"), b.localAddress());
            Recorder r = runUntil(d, rec -> rec.saw(3));
            d.run(20_000_000L, r);
            assertFalse(r.saw(1), "a deregistered source is not reported");
            assertFalse(r.saw(2), "a reregistered source reports its new token only");
            d.deregister(b);
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void handlersMayRegisterAndDeregisterWhileTheDriverDispatches(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try (UdpSocket a = UdpSocket.bind(Loopback.any(), c.backend());
             UdpSocket b = UdpSocket.bind(Loopback.any(), c.backend());
             UdpSocket tx = UdpSocket.bind(Loopback.any(), c.backend())) {
            d.register(a, 1, Interest.READABLE);
            tx.sendTo(Loopback.ascii("x"), a.localAddress());
            AtomicBoolean changed = new AtomicBoolean();
            Recorder r = new Recorder() {
                @Override
                public void ready(long token, int readyBits) {
                    super.ready(token, readyBits);
                    if (token == 1 && changed.compareAndSet(false, true)) {
                        try {
                            d.deregister(a);
                            d.register(b, 2, Interest.READABLE);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!changed.get() && System.nanoTime() < deadline) {
                d.run(100_000_000L, r);
            }
            assertTrue(changed.get());
            tx.sendTo(Loopback.ascii("y"), b.localAddress());
            while (!r.saw(2) && System.nanoTime() < deadline) {
                d.run(100_000_000L, r);
            }
            assertTrue(r.saw(2), "a source registered by a handler is reported by a later run");
            d.deregister(b);
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void misuseIsAnIllegalStateNamingTheMistake(Candidate c) throws Exception {
        Driver d = c.opener().open();
        try (UdpSocket a = UdpSocket.bind(Loopback.any(), c.backend())) {
            d.register(a, 1, Interest.READABLE);
            assertThrows(IllegalStateException.class, () -> d.register(a, 2, Interest.READABLE));
            d.deregister(a);
            assertThrows(IllegalStateException.class, () -> d.deregister(a));
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void wakeupsRacingCloseNeitherThrowNorOutliveIt(Candidate c) throws Exception {
        for (int round = 0; round < 50; round++) {
            Driver d = c.opener().open();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread waker = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        d.wakeup();
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            d.run(0, new Recorder());
            d.close();
            d.wakeup(); // after close: a no-op
            stop.set(true);
            waker.join();
            assertNull(failed.get(), "wakeup never throws, even racing close");
        }
    }

    /** Runs the driver (up to 10 s) until {@code done} holds for what it reported. */
    private static Recorder runUntil(Driver d, java.util.function.Predicate<Recorder> done) throws IOException {
        Recorder r = new Recorder();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.test(r)) {
            assertTrue(System.nanoTime() < deadline, "timed out; reports so far: " + r.reports.size());
            d.run(100_000_000L, r);
        }
        return r;
    }
}
