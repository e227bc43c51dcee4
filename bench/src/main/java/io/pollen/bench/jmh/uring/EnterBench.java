package io.pollen.bench.jmh.uring;

import io.pollen.poll.Backend;
import io.pollen.poll.uring.Ring;
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
import java.util.concurrent.TimeUnit;

/**
 * What one {@code io_uring_enter} costs an event loop's thread, with the ring named by its fd or by
 * a slot registered for that thread ({@code Ring.registerFd}, {@code IORING_REGISTER_RING_FDS}).
 * One operation is one {@code io_uring_enter(GETEVENTS)} with nothing to submit and nothing to
 * wait for: the system call's fixed part, which an event loop pays at least once per iteration.
 * By fd, the kernel looks the fd up and, since every JVM has more than one thread (the fd table is
 * shared), takes and drops a reference on the ring's file with atomic operations; by slot it does
 * neither. Lower is better.
 *
 * <p>{@code impl}: {@code ring-registered} (what Pollen's loops do), {@code ring-fd}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx256m"})
@State(Scope.Thread)
public class EnterBench {
    @Param({"ring-registered", "ring-fd"})
    public String impl;

    private Ring ring;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!Backend.IO_URING.isAvailable()) {
            throw new IllegalStateException("io_uring is not available here: " + Backend.IO_URING.unavailableReason());
        }
        ring = Ring.open(8, 0, 0);
        if (impl.equals("ring-registered") && !ring.registerFd()) {
            throw new IllegalStateException("this kernel does not register ring fds (5.18+)");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ring.close();
    }

    @Benchmark
    public int enter() throws IOException {
        return ring.submitAndWait(0, 0);
    }
}
