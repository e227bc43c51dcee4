package io.pollen.runtime;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue other threads hand work in through, and the promise around a loop's close. */
@Timeout(60)
class RemoteQueueTest {

    /** A task that is its own node, as a spawned LoopTask is. */
    private static final class SelfNode extends RemoteQueue.Node implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void keepsOrderAndCarriesBothKindsOfTask() {
        RemoteQueue q = new RemoteQueue();
        assertTrue(q.isEmpty());
        assertNull(q.poll());
        Runnable wrapped = () -> { };
        SelfNode self = new SelfNode();
        q.add(wrapped);
        q.addFresh(self);
        assertFalse(q.isEmpty());
        assertEquals(2, q.size(100));
        assertSame(wrapped, q.poll());
        assertSame(self, q.poll());
        assertNull(q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void pollUpToAMarkLeavesWhatCameAfterIt() {
        RemoteQueue q = new RemoteQueue();
        RemoteQueue.Node empty = q.mark();
        assertNull(q.pollUpTo(empty), "nothing before the mark of an empty queue");
        SelfNode a = new SelfNode();
        SelfNode b = new SelfNode();
        SelfNode late = new SelfNode();
        q.addFresh(a);
        q.addFresh(b);
        RemoteQueue.Node mark = q.mark();
        q.addFresh(late);
        assertSame(a, q.pollUpTo(mark));
        assertSame(b, q.pollUpTo(mark));
        assertNull(q.pollUpTo(mark), "added after the mark: for the next batch");
        assertFalse(q.isEmpty());
        assertSame(late, q.pollUpTo(q.mark()));
        assertTrue(q.isEmpty());
    }

    @Test
    void aBatchRunsNoTaskHandedInWhileItRuns() {
        TaskQueue tasks = new TaskQueue();
        List<String> ran = new ArrayList<>();
        tasks.addRemote(() -> {
            ran.add("first");
            tasks.addRemote(() -> ran.add("handed in during the batch"));
            tasks.addLocal(() -> ran.add("queued by the loop during the batch"));
        });
        tasks.addRemote(() -> ran.add("second"));
        assertEquals(2, tasks.run(100, t -> { throw new AssertionError(t); }));
        assertEquals(List.of("first", "second"), ran);
        assertEquals(2, tasks.run(100, t -> { throw new AssertionError(t); }));
        assertEquals(List.of("first", "second", "queued by the loop during the batch", "handed in during the batch"), ran);
    }

    @Test
    void aBatchRunsAtMostItsBudgetAndKeepsTheRestInOrder() {
        TaskQueue tasks = new TaskQueue();
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            tasks.addRemote(() -> ran.add(n));
        }
        assertEquals(3, tasks.run(3, t -> { throw new AssertionError(t); }));
        assertEquals(List.of(0, 1, 2), ran);
        assertEquals(2, tasks.run(3, t -> { throw new AssertionError(t); }));
        assertEquals(List.of(0, 1, 2, 3, 4), ran);
        assertEquals(0, tasks.run(3, t -> { throw new AssertionError(t); }));
    }

    @Test
    void aConsumedNodeDoesNotKeepLaterTasksAlive() {
        RemoteQueue q = new RemoteQueue();
        SelfNode first = new SelfNode();
        SelfNode second = new SelfNode();
        q.addFresh(first);
        q.addFresh(second);
        assertSame(first, q.poll());
        assertSame(second, first.next, "still linked while it is the list's head");
        assertSame(second, q.poll());
        assertNull(first.next, "a task someone keeps must not keep the tasks queued after it");
    }

    @Test
    void manyProducersLoseNothingAndKeepEachOnesOrder() throws Exception {
        int producers = 4;
        int each = 50_000;
        RemoteQueue q = new RemoteQueue();
        record Item(int producer, int seq) implements Runnable {
            @Override
            public void run() {
            }
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    q.add(new Item(id, i));
                }
            }));
        }
        go.countDown();
        int[] next = new int[producers];
        int seen = 0;
        while (seen < producers * each) {
            Runnable r = q.poll();
            if (r == null) {
                Thread.onSpinWait();
                continue;
            }
            Item item = (Item) r;
            assertEquals(next[item.producer()], item.seq(), "producer " + item.producer() + " out of order");
            next[item.producer()]++;
            seen++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void drainLockedTakesEverythingLinked() {
        RemoteQueue q = new RemoteQueue();
        for (int i = 0; i < 10; i++) {
            q.add(() -> { });
        }
        ArrayDeque<Runnable> into = new ArrayDeque<>();
        q.drainLocked(into);
        assertEquals(10, into.size());
        assertTrue(q.isEmpty());
    }

    /**
     * A producer stopped between its two steps (tail exchanged, node not linked) hides its node and
     * everything added after it. A drain after close must wait for it rather than stop at the gap:
     * a sender whose task sits behind the gap would not find it, take it for drained, and nobody
     * would run or refuse it (the close race below lost 3,168 of 67,923 tasks that way once).
     */
    @Test
    @Timeout(10)
    void aDrainWaitsForAProducerThatHasNotLinkedItsNodeYet() throws Exception {
        RemoteQueue q = new RemoteQueue();
        Runnable first = () -> { };
        Runnable behind = () -> { };
        SelfNode stalled = new SelfNode();
        q.add(first);
        RemoteQueue.Node prev = q.exchange(stalled); // this producer stops here
        q.add(behind); // linked, but behind the gap
        ArrayDeque<Runnable> got = new ArrayDeque<>();
        Thread drainer = Thread.ofPlatform().start(() -> q.drainLocked(got));
        drainer.join(100);
        assertTrue(drainer.isAlive(), "the drain stopped at the gap: " + got.size() + " taken");
        RemoteQueue.link(prev, stalled); // the producer's second step
        drainer.join();
        assertEquals(List.of(first, stalled, behind), List.copyOf(got));
    }

    /**
     * Work handed in while the loop closes either runs or is refused to its sender, never both and
     * never neither, for plain tasks and spawned ones alike.
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void workRacingACloseRunsOrIsRefusedExactlyOnce(Backend backend) throws Exception {
        for (int round = 0; round < 5; round++) {
            Runtime rt = Runtime.builder().backend(backend).loops(1).build();
            EventLoop loop = rt.loops().getFirst();
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger submitted = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(2);
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                boolean spawn = s == 1;
                senders.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    // Until the loop refuses: the last tasks race the close.
                    for (int i = 0; i < 300_000; i++) {
                        submitted.incrementAndGet();
                        if (spawn) {
                            JoinHandle<Void> h = loop.spawn(() -> {
                                ran.incrementAndGet();
                                return java.util.concurrent.CompletableFuture.completedFuture(null);
                            });
                            h.whenComplete((v, e) -> {
                                if (e != null) {
                                    refused.incrementAndGet(); // refused, or cancelled before it started
                                }
                            });
                            if (h.isCompletedExceptionally() && loop.isClosed()) {
                                return;
                            }
                        } else {
                            try {
                                loop.execute(ran::incrementAndGet);
                            } catch (RejectedExecutionException e) {
                                refused.incrementAndGet();
                                return;
                            }
                        }
                    }
                }));
            }
            started.await();
            while (submitted.get() < 2_000) {
                Thread.onSpinWait(); // both senders in full swing when the close comes
            }
            rt.close();
            for (Thread t : senders) {
                t.join();
            }
            assertEquals(submitted.get(), ran.get() + refused.get(),
                    "round " + round + ": ran " + ran + ", refused " + refused + " of " + submitted);
        }
    }
}
