package io.pollen.bench.jmh.runtime;

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

import java.util.concurrent.TimeUnit;

/**
 * Issue #3: cross-thread wake latency. The benchmark thread submits a task to the executor and
 * spins until that task has run on the executor's thread (it publishes a sequence number the
 * submitter waits for). One operation is that round trip; lower is better.
 *
 * <p>What it includes: the submit (queue insertion and, if the worker is idle, its wake-up: an
 * eventfd write for Pollen, {@code Selector.wakeup()} for Netty's NIO loop, an unpark for the
 * JDK pools), the worker noticing and running the task, and the submitter seeing the store. The
 * submitter submits again as soon as it sees the acknowledgement, so the worker is sometimes still
 * on its way to sleep: the figure mixes "wake a sleeping worker" with "catch a worker before it
 * sleeps", as a busy server does. Noisy on shared cores: compare within one run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
@State(Scope.Benchmark)
public class WakeLatencyBench {
    @Param({"pollen", "cf-fjp", "stpe", "netty"})
    public String impl;

    private Contender c;
    private volatile long sent;
    private volatile long acked;
    private long next;
    private final Runnable ack = () -> acked = sent;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        c = Contender.open(impl);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        c.close();
    }

    @Benchmark
    public long submitAndRun() {
        long n = ++next;
        sent = n;
        c.execute(ack);
        long spins = 0;
        while (acked < n) {
            Thread.onSpinWait();
            if (++spins == 1L << 32) {
                throw new IllegalStateException("task " + n + " never ran");
            }
        }
        return n;
    }
}
