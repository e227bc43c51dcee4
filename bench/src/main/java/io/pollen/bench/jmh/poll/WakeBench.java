package io.pollen.bench.jmh.poll;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.poll.Waker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * Issue #2 (a): the cost of waking a poller, Pollen's {@link Waker} against
 * {@link Selector#wakeup()}.
 *
 * <p>Two things are measured, both per operation, lower is better:
 * <ul>
 *   <li>{@link #sameThread}: one thread calls {@code wake()} and then polls with a zero timeout,
 *       which returns because of that wake. This is the pure CPU and syscall cost of one wake
 *       cycle: Pollen-epoll does {@code write(eventfd)} + {@code epoll_wait} (the eventfd is
 *       edge-triggered, so nothing is read back); the JDK selector does the same two calls plus a
 *       {@code read} of its eventfd and two lock acquisitions. No scheduler is involved.</li>
 *   <li>{@link #crossThread}: a dedicated poller thread is blocked in {@code poll} with no
 *       timeout; the benchmark thread publishes a sequence number, wakes it, and spins until the
 *       poller has returned and acknowledged that number. This is the round trip a runtime pays
 *       when another thread hands work to a sleeping loop, and it includes the kernel waking the
 *       poller thread, so it is dominated by the scheduler and noisy on a loaded machine.</li>
 * </ul>
 *
 * <p>{@code impl}: {@code pollen-epoll} (the contender), {@code jdk-nio} (a plain
 * {@code java.nio.channels.Selector}), {@code pollen-nio} (Pollen's portable backend, which wraps a
 * JDK selector: shows the cost of the abstraction, not a baseline).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class WakeBench {

    /** What both benchmarks drive: a poller and the thing that wakes it. */
    private interface Wakeable extends AutoCloseable {
        void wake() throws IOException;

        /** Polls once; {@code timeoutNanos < 0} blocks until an event or a wake. */
        int poll(long timeoutNanos) throws IOException;

        @Override
        void close() throws IOException;
    }

    private static final class PollenWakeable implements Wakeable {
        private final Poll poll;
        private final Events events = Events.withCapacity(16);
        private final Waker waker;

        PollenWakeable(Backend backend) throws IOException {
            poll = Poll.open(backend);
            waker = new Waker(poll.registry(), Token.of(0));
        }

        @Override
        public void wake() throws IOException {
            waker.wake();
        }

        @Override
        public int poll(long timeoutNanos) throws IOException {
            return poll.pollNanos(events, timeoutNanos);
        }

        @Override
        public void close() throws IOException {
            waker.close();
            poll.close();
        }
    }

    private static final class JdkWakeable implements Wakeable {
        private final Selector selector;

        JdkWakeable() throws IOException {
            selector = Selector.open();
        }

        @Override
        public void wake() {
            selector.wakeup();
        }

        @Override
        public int poll(long timeoutNanos) throws IOException {
            if (timeoutNanos == 0) {
                return selector.selectNow();
            }
            return selector.select();   // only used with "no timeout" here
        }

        @Override
        public void close() throws IOException {
            selector.close();
        }
    }

    static Wakeable open(String impl) throws IOException {
        return switch (impl) {
            case "pollen-epoll" -> new PollenWakeable(Backend.EPOLL);
            case "pollen-nio" -> new PollenWakeable(Backend.NIO);
            case "jdk-nio" -> new JdkWakeable();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }

    @State(Scope.Thread)
    public static class SameThread {
        @Param({"pollen-epoll", "jdk-nio", "pollen-nio"})
        public String impl;

        Wakeable w;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            w = open(impl);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            w.close();
        }
    }

    /** Wake, then poll(0): the poll must return because of the wake (a zero timeout never blocks). */
    @Benchmark
    public int sameThread(SameThread s) throws IOException {
        s.w.wake();
        return s.w.poll(0);
    }

    @State(Scope.Thread)
    public static class CrossThread {
        @Param({"pollen-epoll", "jdk-nio", "pollen-nio"})
        public String impl;

        Wakeable w;
        Thread poller;
        volatile boolean running;
        /** Written by the benchmark thread before each wake. */
        volatile long sent;
        /** Written by the poller after each return from poll: the last {@code sent} it saw. */
        volatile long acked;
        long next;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            w = open(impl);
            running = true;
            poller = Thread.ofPlatform().name("wake-bench-poller").daemon().start(() -> {
                try {
                    while (running) {
                        w.poll(-1);
                        acked = sent;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            running = false;
            w.wake();
            poller.join(10_000);
            w.close();
        }
    }

    /** Publish, wake the blocked poller, spin until it has returned and acknowledged. */
    @Benchmark
    public long crossThread(CrossThread s) throws IOException {
        long n = ++s.next;
        s.sent = n;
        s.w.wake();
        while (s.acked < n) {
            if (!s.poller.isAlive()) {
                throw new IllegalStateException("the poller thread died");
            }
            Thread.onSpinWait();
        }
        return n;
    }
}
