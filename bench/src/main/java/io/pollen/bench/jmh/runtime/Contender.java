package io.pollen.bench.jmh.runtime;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.runtime.TimerHandle;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One single-threaded executor under test, behind the three operations the runtime benchmarks
 * need. Every contender gets exactly one worker thread, so the figures compare the executors'
 * machinery, not their parallelism (the machine has two shared cores anyway).
 *
 * <ul>
 *   <li>{@code pollen}: a Pollen {@link Runtime} with one event loop on {@link Backend#select()}
 *       (epoll on Linux; {@code -Dpollen.backend=nio} in the fork's JVM arguments forces the other).</li>
 *   <li>{@code cf-fjp}: {@link CompletableFuture#runAsync} on a {@code ForkJoinPool} of
 *       parallelism 1 (what {@code commonPool()} is on a two-core machine). No timers: the JDK's
 *       {@code CompletableFuture.delayedExecutor} is a {@code ScheduledThreadPoolExecutor} inside,
 *       so {@code stpe} stands for it.</li>
 *   <li>{@code stpe}: a {@link ScheduledThreadPoolExecutor} of one thread with
 *       {@code removeOnCancelPolicy} on (without it, cancelled timers stay queued until due).</li>
 *   <li>{@code netty}: Netty 4.2's I/O event loop, {@link MultiThreadIoEventLoopGroup} of one
 *       thread with {@link NioIoHandler} (its portable transport, a JDK selector inside).</li>
 * </ul>
 */
abstract class Contender implements AutoCloseable {
    static final Duration TIMER_DELAY = Duration.ofSeconds(10);
    static final long TIMER_DELAY_NANOS = TIMER_DELAY.toNanos();
    static final Duration FAR = Duration.ofHours(1);

    /** Runs {@code r} on the worker thread; callable from any thread. */
    abstract void execute(Runnable r);

    /** Spawns a task that runs {@code body} and completes; returns its handle (future). */
    abstract Object spawn(Runnable body);

    /** Schedules {@code r} in {@link #TIMER_DELAY}; called on the worker thread. */
    abstract Object schedule(Runnable r);

    /** Schedules {@code r} in an hour (the standing population); called on the worker thread. */
    abstract Object scheduleFar(Runnable r);

    /** Cancels what {@link #schedule} returned; called on the worker thread. */
    abstract void cancel(Object timer);

    abstract boolean hasTimers();

    @Override
    public abstract void close() throws Exception;

    static Contender open(String name) throws Exception {
        return switch (name) {
            case "pollen" -> new Pollen();
            case "cf-fjp" -> new CfFjp();
            case "stpe" -> new Stpe();
            case "netty" -> new Netty();
            default -> throw new IllegalArgumentException("unknown contender " + name);
        };
    }

    static final class Pollen extends Contender {
        private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
        private final Runtime rt;
        private final io.pollen.runtime.EventLoop loop;

        Pollen() {
            rt = Runtime.builder().backend(Backend.select()).loops(1).threadNamePrefix("pollen-bench").build();
            loop = rt.loops().getFirst();
        }

        @Override
        void execute(Runnable r) {
            loop.execute(r);
        }

        @Override
        Object spawn(Runnable body) {
            return loop.spawn(() -> {
                body.run();
                return DONE;
            });
        }

        @Override
        Object schedule(Runnable r) {
            return loop.schedule(TIMER_DELAY, r);
        }

        @Override
        Object scheduleFar(Runnable r) {
            return loop.schedule(FAR, r);
        }

        @Override
        void cancel(Object timer) {
            ((TimerHandle) timer).cancel();
        }

        @Override
        boolean hasTimers() {
            return true;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static final class CfFjp extends Contender {
        private final ForkJoinPool pool = new ForkJoinPool(1);

        @Override
        void execute(Runnable r) {
            pool.execute(r);
        }

        @Override
        Object spawn(Runnable body) {
            return CompletableFuture.runAsync(body, pool);
        }

        @Override
        Object schedule(Runnable r) {
            throw new UnsupportedOperationException("cf-fjp has no cancellable timers of its own");
        }

        @Override
        Object scheduleFar(Runnable r) {
            return schedule(r);
        }

        @Override
        void cancel(Object timer) {
            throw new UnsupportedOperationException();
        }

        @Override
        boolean hasTimers() {
            return false;
        }

        @Override
        public void close() throws InterruptedException {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A contender that is a {@link ScheduledExecutorService} of one thread: the JDK's
     * {@code ScheduledThreadPoolExecutor} and Netty's event loop both are, so they share every
     * operation but their shutdown.
     */
    abstract static class Scheduled extends Contender {
        private final ScheduledExecutorService executor;

        Scheduled(ScheduledExecutorService executor) {
            this.executor = executor;
        }

        @Override
        final void execute(Runnable r) {
            executor.execute(r);
        }

        @Override
        final Object spawn(Runnable body) {
            return executor.submit(body);
        }

        @Override
        final Object schedule(Runnable r) {
            return executor.schedule(r, TIMER_DELAY_NANOS, TimeUnit.NANOSECONDS);
        }

        @Override
        final Object scheduleFar(Runnable r) {
            return executor.schedule(r, 1, TimeUnit.HOURS);
        }

        @Override
        final void cancel(Object timer) {
            ((Future<?>) timer).cancel(false);
        }

        @Override
        final boolean hasTimers() {
            return true;
        }
    }

    static final class Stpe extends Scheduled {
        private final ScheduledThreadPoolExecutor pool;

        Stpe() {
            this(new ScheduledThreadPoolExecutor(1));
        }

        private Stpe(ScheduledThreadPoolExecutor pool) {
            super(pool);
            this.pool = pool;
            pool.setRemoveOnCancelPolicy(true);
        }

        @Override
        public void close() throws InterruptedException {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static final class Netty extends Scheduled {
        private final MultiThreadIoEventLoopGroup group;

        Netty() {
            this(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));
        }

        private Netty(MultiThreadIoEventLoopGroup group) {
            super(group.next());
            this.group = group;
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
