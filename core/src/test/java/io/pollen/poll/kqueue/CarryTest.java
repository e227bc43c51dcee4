package io.pollen.poll.kqueue;

import io.pollen.poll.spi.Ready;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The events a libkqueue rescan keeps for the next select: order, limits, and their registration's changes. */
class CarryTest {
    private static final int BOTH = Ready.INTEREST_READABLE | Ready.INTEREST_WRITABLE;
    private static final int RW = Ready.READABLE | Ready.WRITABLE;

    @Test
    void handsOutInOrderAtMostWhatTheCallerHolds() {
        Carry c = new Carry();
        for (int fd = 0; fd < 40; fd++) {   // past its first 16 slots
            c.add(fd, 100 + fd, RW);
        }
        long[] tokens = new long[16];
        int[] flags = new int[16];
        long expected = 100;
        int total = 0;
        for (int n; (n = c.drainTo(tokens, flags, 16)) > 0; total += n) {
            for (int i = 0; i < n; i++) {
                assertEquals(expected++, tokens[i]);
                assertEquals(RW, flags[i]);
            }
        }
        assertEquals(40, total);
        assertTrue(c.isEmpty());
    }

    @Test
    void aDeregisteredFdsEventsAreDropped() {
        Carry c = new Carry();
        c.add(5, 1, RW);
        c.add(6, 2, RW);
        c.add(5, 1, Ready.READABLE);
        c.forget(5);
        long[] tokens = new long[4];
        int[] flags = new int[4];
        assertEquals(1, c.drainTo(tokens, flags, 4));
        assertEquals(2, tokens[0]);
        assertTrue(c.isEmpty());
    }

    @Test
    void aReregisteredFdsEventsTakeItsNewTokenAndInterest() {
        Carry c = new Carry();
        c.add(7, 1, RW | Ready.READ_CLOSED);
        c.add(8, 2, Ready.WRITABLE | Ready.ERROR);
        c.add(9, 3, Ready.WRITABLE);
        c.retoken(7, 11, Ready.INTEREST_WRITABLE);   // reading no longer asked for
        c.retoken(8, 12, Ready.INTEREST_READABLE);   // its error stays
        c.retoken(9, 13, Ready.INTEREST_READABLE);   // nothing left: not reported
        long[] tokens = new long[4];
        int[] flags = new int[4];
        assertEquals(2, c.drainTo(tokens, flags, 4));
        assertArrayEquals(new long[] {11, 12}, new long[] {tokens[0], tokens[1]});
        assertArrayEquals(new int[] {Ready.WRITABLE, Ready.ERROR}, new int[] {flags[0], flags[1]});
        c.add(10, 4, RW);
        c.retoken(10, 14, BOTH);
        assertEquals(1, c.drainTo(tokens, flags, 4));
        assertEquals(14, tokens[0]);
        assertEquals(RW, flags[0]);
    }
}
