package io.pollen.poll.uring;

import io.pollen.sys.linux.IoUring;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Unistd;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static io.pollen.sys.linux.IoUring.IORING_CQE_F_MORE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring itself: setup flags and their fallback, the opcode probe, batching (many operations, one
 * {@code io_uring_enter}), the wait deadline, CQ overflow with a tiny ring (no completion lost),
 * multishot polls ended by the kernel, and cancellation of operations in flight.
 */
class RingTest extends UringTestCase {
    record Cqe(long userData, int res, int flags) {
    }

    private static List<Cqe> reapAll(Ring ring) throws IOException {
        List<Cqe> got = new ArrayList<>();
        while (ring.reap((ud, res, fl) -> got.add(new Cqe(ud, res, fl)), 64) > 0) {
            // until the ring and the kernel's overflow list are empty
        }
        return got;
    }

    @Test
    void theFlagsAnEventLoopWantsAreTakenWhereTheKernelHasThem() throws IOException {
        int want = IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN
                | IoUring.IORING_SETUP_COOP_TASKRUN | IoUring.IORING_SETUP_SUBMIT_ALL;
        try (Ring ring = Ring.open(8, 0, want)) {
            System.out.println("io_uring here: " + ring + " (wanted flags 0x" + Integer.toHexString(want) + ")");
            assertEquals(0, ring.flags() & ~(want | IoUring.IORING_SETUP_CLAMP), "only wanted flags are taken");
            assertTrue(ring.hasFeature(IoUring.IORING_FEAT_NODROP) && ring.hasFeature(IoUring.IORING_FEAT_EXT_ARG));
            ring.sqes.nop(42);
            assertEquals(1, ring.submitAndWait(1, -1));
            List<Cqe> got = reapAll(ring);
            assertEquals(List.of(new Cqe(42, 0, 0)), got);
        }
    }

    @Test
    void aFlagTheKernelRefusesIsDroppedNotFatal() throws IOException {
        // DEFER_TASKRUN without SINGLE_ISSUER is EINVAL on every kernel: the fallback drops it.
        try (Ring ring = Ring.open(8, 0, IoUring.IORING_SETUP_DEFER_TASKRUN | IoUring.IORING_SETUP_SUBMIT_ALL)) {
            assertFalse(ring.hasFlag(IoUring.IORING_SETUP_DEFER_TASKRUN));
            ring.sqes.nop(1);
            ring.submitAndWait(1, -1);
            assertEquals(1, reapAll(ring).size());
        }
    }

    @Test
    void theProbeKnowsTheOpcodes() throws IOException {
        try (Ring ring = Ring.open(4, 0, 0)) {
            assertTrue(ring.supports(IoUring.IORING_OP_NOP));
            assertTrue(ring.supports(IoUring.IORING_OP_POLL_ADD));
            assertTrue(ring.supports(IoUring.IORING_OP_ASYNC_CANCEL));
            assertFalse(ring.supports(255));
        }
    }

    @Test
    void manyOperationsGoInOneEnter() throws IOException {
        try (Ring ring = Ring.open(64, 0, IoUring.IORING_SETUP_SUBMIT_ALL)) {
            for (int i = 0; i < 48; i++) {
                ring.sqes.nop(1000 + i);
            }
            assertEquals(0, ring.enterCalls(), "queuing alone makes no system call");
            assertEquals(48, ring.submitAndWait(48, -1));
            assertEquals(1, ring.enterCalls(), "48 NOPs submitted and waited for by one io_uring_enter");
            BitSet seen = new BitSet();
            for (Cqe c : reapAll(ring)) {
                assertEquals(0, c.res());
                seen.set((int) c.userData() - 1000);
            }
            assertEquals(48, seen.cardinality());
            assertEquals(1, ring.enterCalls(), "reaping a non-overflowed ring is a memory read");
        }
    }

    @Test
    void theWaitEndsAtItsDeadline() throws IOException {
        try (Ring ring = Ring.open(4, 0, 0)) {
            long t0 = System.nanoTime();
            assertEquals(0, ring.submitAndWait(1, 20_000_000L));   // ETIME is "woke up early", not an error
            assertTrue(System.nanoTime() - t0 >= 20_000_000L, "waited at least the timeout");
            assertEquals(0, ring.ready());
        }
    }

    @Test
    void aFullCompletionQueueLosesNothing() throws IOException {
        try (Ring ring = Ring.open(4, 8, 0)) {
            assertEquals(8, ring.cqEntries());
            int n = 200;
            for (int i = 0; i < n; i++) {
                ring.sqes.nop(i);   // the 4-entry SQ is submitted whenever it fills
            }
            ring.submit();
            assertTrue(ring.cqOverflowed(), "200 completions cannot fit 8 CQEs");
            BitSet seen = new BitSet();
            for (Cqe c : reapAll(ring)) {
                assertFalse(seen.get((int) c.userData()), "reported once");
                seen.set((int) c.userData());
            }
            assertEquals(n, seen.cardinality(), "every completion, overflowed ones included");
            assertFalse(ring.cqOverflowed());
            assertEquals(0, ring.dropped());
        }
    }

    @Test
    void aMultishotPollTheKernelEndsSaysSoWithoutMore() throws IOException {
        int efd = UringTests.eventfd();
        try (Ring ring = Ring.open(4, 8, 0)) {
            ring.sqes.pollAdd(efd, 1, true, 7);
            ring.submit();
            for (int i = 0; i < 20; i++) {
                UringTests.signal(efd);   // a CQE per wake-up until the CQ is full: then the poll ends
            }
            ring.submitAndWait(0, 0);
            List<Cqe> got = reapAll(ring);
            assertTrue(got.size() >= 8 && got.size() <= 20, "one CQE per wake-up while it fit: " + got.size());
            Cqe last = got.getLast();
            assertEquals(0, last.flags() & IORING_CQE_F_MORE, "the last CQE ends the poll: " + got);
            got.subList(0, got.size() - 1).forEach(c -> assertEquals(IORING_CQE_F_MORE, c.flags() & IORING_CQE_F_MORE));
            got.forEach(c -> assertEquals(7, c.userData()));
            UringTests.signal(efd);
            ring.submitAndWait(0, 0);
            assertEquals(0, reapAll(ring).size(), "an ended poll reports nothing more");
        } finally {
            Unistd.close(efd);
        }
    }

    @Test
    void operationsInFlightAreCancelled() throws IOException {
        int a = UringTests.eventfd();
        int b = UringTests.eventfd();
        try (Ring ring = Ring.open(8, 0, 0)) {
            ring.sqes.pollAdd(a, 1, true, 1);
            ring.sqes.pollAdd(b, 1, false, 2);
            ring.sqes.pollAdd(b, 1, true, 3);
            ring.submit();
            assertEquals(0, ring.ready(), "nothing is ready yet");
            ring.sqes.cancel(1, 100);      // by user_data
            ring.sqes.cancelFd(b, 101);    // every operation on b
            ring.submitAndWait(4, 1_000_000_000L);
            List<Cqe> got = reapAll(ring);
            assertTrue(got.contains(new Cqe(1, -Errno.ECANCELED, 0)), got.toString());
            assertTrue(got.contains(new Cqe(2, -Errno.ECANCELED, 0)), got.toString());
            assertTrue(got.contains(new Cqe(3, -Errno.ECANCELED, 0)), got.toString());
            assertTrue(got.contains(new Cqe(100, 0, 0)), got.toString());
            assertTrue(got.contains(new Cqe(101, 2, 0)), "CANCEL_ALL counts what it cancelled: " + got);
            ring.sqes.cancel(1, 102);
            ring.submitAndWait(1, 1_000_000_000L);
            assertEquals(List.of(new Cqe(102, -Errno.ENOENT, 0)), reapAll(ring), "nothing left to cancel");
        } finally {
            Unistd.close(a);
            Unistd.close(b);
        }
    }

    @Test
    void closingARingWithOperationsInFlightLeaksNothing() throws IOException {
        int efd = UringTests.eventfd();
        try {
            for (int round = 0; round < 20; round++) {
                Ring ring = Ring.open(16, 0, 0);
                for (int i = 0; i < 10; i++) {
                    ring.sqes.pollAdd(efd, 1, true, i);
                }
                ring.submit();
                ring.close();
                ring.close();   // idempotent
            }
        } finally {
            Unistd.close(efd);
        }
        // The class's @AfterAll checks that no ring fd and no ring mapping outlived its ring.
    }

    @Test
    void aRegisteredRingFdIsEnteredBySlotAndFreedByClose() throws IOException {
        // A thread has 16 slots: 40 rings in turn get one each only if close gives it back (without
        // the unregistration the 17th fails, and every ring so far lives on in the kernel).
        for (int round = 0; round < 40; round++) {
            try (Ring ring = Ring.open(4, 0, 0)) {
                assertTrue(ring.registerFd(), "round " + round + ": registered (a 5.18+ kernel; slots freed by close)");
                assertTrue(ring.registeredSlot() >= 0 && ring.registeredSlot() < 16, "slot " + ring.registeredSlot());
                assertTrue(ring.registerFd(), "idempotent");
                ring.sqes.nop(7);
                assertEquals(1, ring.submitAndWait(1, -1), "entered by its slot");
                assertEquals(List.of(new Cqe(7, 0, 0)), reapAll(ring));
            }
        }
    }

    @Test
    void aThreadWhoseSlotsAreAllTakenEntersByFd() throws Exception {
        // Run on a fresh thread, whose 16 slots are all free: the first 16 rings take them, the
        // 17th is refused (EBUSY) and still works, by fd; closing one ring frees a slot for the next.
        Throwable[] failed = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            List<Ring> rings = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    Ring r = Ring.open(4, 0, 0);
                    rings.add(r);
                    assertTrue(r.registerFd(), "slot " + i);
                }
                try (Ring extra = Ring.open(4, 0, 0)) {
                    assertFalse(extra.registerFd(), "a 17th registration is refused");
                    assertEquals(-1, extra.registeredSlot());
                    extra.sqes.nop(9);
                    assertEquals(1, extra.submitAndWait(1, -1), "entered by fd");
                    assertEquals(List.of(new Cqe(9, 0, 0)), reapAll(extra));
                }
                rings.removeFirst().close();
                try (Ring next = Ring.open(4, 0, 0)) {
                    assertTrue(next.registerFd(), "the closed ring's slot is free again");
                }
            } catch (Throwable e) {
                failed[0] = e;
            } finally {
                for (Ring r : rings) {
                    try {
                        r.close();
                    } catch (IOException e) {
                        failed[0] = failed[0] == null ? e : failed[0];
                    }
                }
            }
        });
        t.join();
        if (failed[0] != null) {
            throw new AssertionError(failed[0]);
        }
    }

    @Test
    void otherThreadsEnterARegisteredRingByFd() throws Exception {
        try (Ring ring = Ring.open(4, 0, 0)) {
            assertTrue(ring.registerFd());
            int[] submitted = new int[1];
            Throwable[] failed = new Throwable[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    assertFalse(ring.registerFd(), "one registrant: a second thread is not registered");
                    ring.sqes.nop(8);
                    submitted[0] = ring.submitAndWait(1, -1);
                } catch (Throwable t) {
                    failed[0] = t;
                }
            });
            other.join();
            assertEquals(null, failed[0]);
            assertEquals(1, submitted[0], "the slot is this thread's; the other entered by fd");
            assertEquals(List.of(new Cqe(8, 0, 0)), reapAll(ring));
        }
    }

    @Test
    void aVirtualThreadDoesNotRegisterItsCarriersSlot() throws Exception {
        try (Ring ring = Ring.open(4, 0, 0)) {
            boolean[] registered = {true};
            Thread.ofVirtual().start(() -> registered[0] = ring.registerFd()).join();
            assertFalse(registered[0], "a virtual thread may move to another carrier: no registration");
            assertEquals(-1, ring.registeredSlot());
        }
    }
}
