package io.pollen.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The watchdog's sampling policy: how long it waits between two looks at the loops. That a loop
 * held after a long pause is still reported is {@link BlockedLoopTest}'s
 * {@code aHandlerThatBlocksAfterTheLoopWaitedIsReported} (the loop parks, so the watchdog takes
 * its long pause, then a handler holds it).
 */
class LoopWatchdogTest {
    private static final long MS = 1_000_000L;

    @Test
    void aBusyLoopIsLookedAtFourTimesPerThreshold() {
        assertEquals(25 * MS, LoopWatchdog.pauseNanos(100 * MS, true));
        assertEquals(500 * MS / 4, LoopWatchdog.pauseNanos(500 * MS, true));
    }

    @Test
    void whileEveryLoopIsParkedItLooksOncePerThreshold() {
        // A stretch that begins during this pause is under a threshold old at the next look,
        // which finds the loop busy and looks four times per threshold again: the report still
        // comes within about 1.25 thresholds of the stretch's start.
        assertEquals(100 * MS, LoopWatchdog.pauseNanos(100 * MS, false));
        assertEquals(500 * MS, LoopWatchdog.pauseNanos(500 * MS, false));
    }

    @Test
    void pausesStayWithinBounds() {
        assertEquals(5 * MS, LoopWatchdog.pauseNanos(1 * MS, true), "a tiny threshold does not spin");
        assertEquals(5 * MS, LoopWatchdog.pauseNanos(1 * MS, false));
        assertEquals(250 * MS, LoopWatchdog.pauseNanos(60_000 * MS, true), "a long threshold still looks often when busy");
        assertEquals(1_000 * MS, LoopWatchdog.pauseNanos(60_000 * MS, false), "and at least once a second when parked");
    }
}
