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

/**
 * Issue #3: timer insert + cancel, the life of a request timeout that is never reached. On the
 * executor's own thread (each one's fast path), {@value #BATCH} timers due in 10 s are inserted,
 * then all cancelled; one operation is one insert plus one cancel, lower is better. A standing
 * population of {@value #STANDING} far-off timers (1 hour) sits in each queue throughout, so
 * insertion works against a realistic depth.
 *
 * <p>Pollen cancels in O(1) by marking (its heap compacts when the dead outnumber the living);
 * {@code ScheduledThreadPoolExecutor} (remove-on-cancel) and Netty remove from their heaps in
 * O(log n). {@code cf-fjp} has no cancellable timer of its own and is not run here.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
@State(Scope.Benchmark)
public class TimerBench {
    static final int BATCH = 1_000;
    static final int STANDING = 10_000;

    @Param({"pollen", "stpe", "netty"})
    public String impl;

    private Contender c;
    private final Object[] timers = new Object[BATCH];
    private final Object[] standing = new Object[STANDING];
    private static final Runnable NOTHING = () -> {
    };

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        c = Contender.open(impl);
        if (!c.hasTimers()) {
            throw new IllegalArgumentException(impl + " has no cancellable timers");
        }
        onWorker(() -> {
            for (int i = 0; i < STANDING; i++) {
                standing[i] = c.scheduleFar(NOTHING);   // an hour away: none fires during the trial
            }
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        onWorker(() -> {
            for (Object t : standing) {
                c.cancel(t);
            }
        });
        c.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object insertCancel() throws Exception {
        onWorker(() -> {
            for (int i = 0; i < BATCH; i++) {
                timers[i] = c.schedule(NOTHING);
            }
            for (int i = 0; i < BATCH; i++) {
                c.cancel(timers[i]);
            }
        });
        return timers[BATCH - 1];
    }

    private void onWorker(Runnable work) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        c.execute(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                done.countDown();
            }
        });
        SpawnBench.await(done);
        if (failure[0] != null) {
            throw new IllegalStateException("timer work failed on the worker", failure[0]);
        }
    }
}
