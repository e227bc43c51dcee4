package io.pollen.bench.jmh.runtime;

import io.pollen.runtime.TimerHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the runtime benchmarks take for granted of each contender: one worker thread runs what is
 * executed and spawned, a spawn's handle completes, a timer can be scheduled and cancelled on that
 * thread and then never fires, and close ends the worker.
 */
class ContenderTest {

    @ParameterizedTest
    @ValueSource(strings = {"pollen", "cf-fjp", "stpe", "netty"})
    void runsEverythingOnOneWorkerThreadAndCancelsTimers(String name) throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        try (Contender c = Contender.open(name)) {
            CountDownLatch ran = new CountDownLatch(1);
            c.execute(() -> {
                worker.set(Thread.currentThread());
                ran.countDown();
            });
            assertTrue(ran.await(10, TimeUnit.SECONDS), name + ": execute never ran");

            AtomicReference<Thread> spawnedOn = new AtomicReference<>();
            Object handle = c.spawn(() -> spawnedOn.set(Thread.currentThread()));
            await(handle);
            assertEquals(worker.get(), spawnedOn.get(), name + ": spawn ran off the worker thread");

            if (!c.hasTimers()) {
                assertThrows(UnsupportedOperationException.class, () -> c.schedule(() -> { }));
                return;
            }
            AtomicBoolean fired = new AtomicBoolean();
            CompletableFuture<Object[]> timers = new CompletableFuture<>();
            c.execute(() -> {
                Object near = c.schedule(() -> fired.set(true));
                Object far = c.scheduleFar(() -> fired.set(true));
                c.cancel(near);
                c.cancel(far);
                timers.complete(new Object[] {near, far});
            });
            for (Object timer : timers.get(10, TimeUnit.SECONDS)) {
                assertTrue(isCancelled(timer), name + ": cancel left " + timer + " pending");
            }
            assertFalse(fired.get(), name + ": a cancelled timer fired");
        }
        worker.get().join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(worker.get().isAlive(), name + ": the worker thread outlived close");
    }

    private static boolean isCancelled(Object timer) {
        return switch (timer) {
            case TimerHandle t -> t.isCancelled();
            case Future<?> f -> f.isCancelled();
            default -> throw new AssertionError("unknown timer " + timer.getClass());
        };
    }

    private static void await(Object handle) throws Exception {
        switch (handle) {
            case CompletableFuture<?> f -> f.get(10, TimeUnit.SECONDS);
            case Future<?> f -> f.get(10, TimeUnit.SECONDS);
            default -> throw new AssertionError("unknown handle " + handle.getClass());
        }
    }
}
