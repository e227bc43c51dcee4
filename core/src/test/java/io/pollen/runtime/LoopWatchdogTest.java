package io.pollen.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The watchdog's sampling policy: when it looks at a loop next. That a held loop is reported, on
 * every backend and also after the watchdog's pause while the loop was parked, is
 * {@link BlockedLoopTest}'s (e.g. {@code aHandlerThatBlocksAfterTheLoopWaitedIsReported}).
 */
class LoopWatchdogTest {
    private static final long MS = 1_000_000L;

    @Test
    void aBusyLoopIsLookedAtWhenItsStretchWouldReachTheThreshold() {
        long now = 1_000 * MS;
        assertEquals(70 * MS, LoopWatchdog.untilDue(now - 30 * MS, 0, 100 * MS, now));
        assertEquals(100 * MS, LoopWatchdog.untilDue(now, 0, 100 * MS, now), "a stretch that just began");
        assertTrue(LoopWatchdog.untilDue(now - 130 * MS, 0, 100 * MS, now) < 0, "overdue: look at once (the floor applies)");
    }

    @Test
    void aParkedLoopOrAReportedStretchIsLookedAtAThresholdLater() {
        long now = 1_000 * MS;
        assertEquals(100 * MS, LoopWatchdog.untilDue(0, 0, 100 * MS, now), "parked in its driver");
        long since = now - 300 * MS;
        assertEquals(100 * MS, LoopWatchdog.untilDue(since, since, 100 * MS, now), "this stretch was reported already");
        assertEquals(500 * MS, LoopWatchdog.untilDue(0, since, 500 * MS, now));
    }

    /**
     * A loop kept busy by a stream of short tasks for two seconds, threshold 200 ms: its "busy
     * since" moves every iteration, so each look finds a fresh stretch and the next is due a
     * threshold later: about 10 looks, not the 40 of a watchdog that looked four times per
     * threshold, nor the 2 of one that waited its longest pause. (A look can come later than
     * planned on a loaded machine, hence the low bound's room; more often only by an unpark when a
     * loop starts, and no other loop is watched here.)
     */
    @Test
    void aLoopBusyWithShortTasksCostsAboutOneLookPerThreshold() throws Exception {
        try (Runtime rt = Runtime.builder().loops(1).blockedThreshold(Duration.ofMillis(200)).build()) {
            rt.blockOn(() -> java.util.concurrent.CompletableFuture.completedFuture(0));   // the loop runs and is watched
            assumeTrue(LoopWatchdog.watchedCount() == 1, "other loops are watched in this JVM: their looks would count too");
            AtomicBoolean stop = new AtomicBoolean();
            EventLoop loop = rt.loops().getFirst();
            Runnable again = new Runnable() {
                @Override
                public void run() {
                    if (!stop.get()) {
                        loop.execute(this);   // the next task: the loop never parks
                    }
                }
            };
            loop.execute(again);
            Thread.sleep(100);
            long before = LoopWatchdog.looks;
            Thread.sleep(2_000);
            long taken = LoopWatchdog.looks - before;
            stop.set(true);
            assertTrue(taken >= 5 && taken <= 16, "looks in 2 s at a 200 ms threshold: " + taken);
            assertEquals(0, loop.stats().blockedReports(), "short tasks never hold the loop");
        }
    }

    @Test
    void pausesStayWithinBounds() {
        assertEquals(70 * MS, LoopWatchdog.pauseNanos(70 * MS));
        assertEquals(5 * MS, LoopWatchdog.pauseNanos(1 * MS), "a tiny threshold does not spin");
        assertEquals(5 * MS, LoopWatchdog.pauseNanos(-30 * MS), "nor does an overdue look");
        assertEquals(1_000 * MS, LoopWatchdog.pauseNanos(60_000 * MS), "a long threshold: still a look a second (for a loop added meanwhile)");
    }
}
