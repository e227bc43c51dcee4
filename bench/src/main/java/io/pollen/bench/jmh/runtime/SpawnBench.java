package io.pollen.bench.jmh.runtime;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Issue #3: spawn/complete throughput. One operation is one task spawned, run and completed
 * (its handle — JoinHandle, CompletableFuture, Future, Netty Future — completed); a batch of
 * {@value #BATCH} tasks is timed, each counting down a latch the benchmark thread awaits. Lower is
 * better (ns per task).
 *
 * <ul>
 *   <li>{@link #external}: the benchmark thread spawns the batch onto the executor, as code outside
 *       the runtime does (every spawn crosses threads; wake-ups are coalesced by the executor).</li>
 *   <li>{@link #inLoop}: one task on the executor's own thread spawns the batch, as tasks spawning
 *       tasks do — the fast path of an event loop (no cross-thread queue hand-off needed).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Benchmark)
public class SpawnBench {
    static final int BATCH = 1_000;

    @Param({"pollen", "cf-fjp", "stpe", "netty"})
    public String impl;

    private Contender c;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        c = Contender.open(impl);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        c.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object external() throws Exception {
        CountDownLatch done = new CountDownLatch(BATCH);
        Runnable body = done::countDown;
        Object last = null;
        for (int i = 0; i < BATCH; i++) {
            last = c.spawn(body);
        }
        await(done);
        return last;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void inLoop() throws Exception {
        CountDownLatch done = new CountDownLatch(BATCH);
        Runnable body = done::countDown;
        c.execute(() -> {
            for (int i = 0; i < BATCH; i++) {
                c.spawn(body);
            }
        });
        await(done);
    }

    static void await(CountDownLatch done) throws InterruptedException, TimeoutException {
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new TimeoutException(done.getCount() + " tasks never completed");
        }
    }
}
