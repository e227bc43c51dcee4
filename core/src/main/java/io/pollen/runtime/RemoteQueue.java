package io.pollen.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * The queue other threads hand a loop's work into: many producers, one consumer (the loop), a
 * linked list whose tail producers swap in with one atomic exchange each — no compare-and-set
 * retry loop, no lock, and no node allocated for a task that is its own node ({@link LoopTask},
 * so a spawn from outside the loop allocates nothing here). D. Vyukov's non-intrusive MPSC queue
 * with intrusive nodes; facts, not code, from his description.
 *
 * <h2>What is and is not guaranteed</h2>
 * <ul>
 *   <li>FIFO per producer; between producers, the order of their exchanges.</li>
 *   <li>A producer that has exchanged the tail but not yet linked its node leaves a moment in which
 *       {@link #poll} sees nothing while {@link #isEmpty} says false: the consumer must not park on
 *       {@code poll() == null} alone (the loop checks {@link #isEmpty} before it parks, so it
 *       goes round once more instead).</li>
 *   <li>A consumed node's link is cleared, so a task that somebody keeps (its {@code JoinHandle}
 *       keeps it) never keeps the tasks queued after it alive. The last consumed node stays
 *       referenced as the list's head until the next one is consumed.</li>
 *   <li>After the consumer stopped for good (its loop closed), {@link #drainLocked} lets any thread
 *       consume, one at a time, and takes everything added before it ends, waiting out a producer
 *       between its two steps: see {@link TaskQueue#takeBack}.</li>
 * </ul>
 */
final class RemoteQueue {

    /** A queue element; a task that extends it is linked in without a wrapper. */
    abstract static class Node {
        /** The node queued after this one; written once by the producer that follows. */
        volatile Node next;

        /** The work this node carries: itself, for a node that is a task ({@link LoopTask}). */
        Runnable task() {
            return (Runnable) this;
        }
    }

    /** The wrapper of a task that is not a {@link Node} itself. */
    private static final class Wrapped extends Node {
        /** Cleared once taken, so the head does not keep a finished task alive. */
        private Runnable task;

        Wrapped(Runnable task) {
            this.task = task;
        }

        @Override
        Runnable task() {
            Runnable t = task;
            task = null;
            return t;
        }
    }

    /** The list's starting point before the first task; it carries none. */
    private static final class Stub extends Node {
        @Override
        Runnable task() {
            throw new IllegalStateException("the stub carries no task");
        }
    }

    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The last node consumed (or the stub): consumer only. Padded, like {@link #tail}: the consumer
     * writes it for every task, producers exchange the tail for every task, and on one cache line
     * each would pull the line away from the other every time.
     */
    private final PaddedRef<Node> head;
    /** The last node added; producers exchange it. */
    private final PaddedRef<Node> tail;

    RemoteQueue() {
        Node stub = new Stub();
        head = new PaddedRef<>(stub);
        tail = new PaddedRef<>(stub);
    }

    /** Adds a task in a wrapper node; any thread, wait-free. */
    void add(Runnable task) {
        addFresh(new Wrapped(task));
    }

    /**
     * Adds a node that was never queued before: only the code that created it (a spawn) may call
     * this, which is what makes linking the node itself safe.
     */
    void addFresh(Node node) {
        link(exchange(node), node);
    }

    /**
     * A producer's first step: makes {@code node} the tail and returns the node before it. Until
     * {@link #link} runs, consumers see the queue end before {@code node} (and before anything added
     * after it). Package-private so a test can stop a producer between the two steps.
     */
    Node exchange(Node node) {
        return tail.getAndSet(node);
    }

    /** A producer's second step: links {@code node} behind {@code prev}, where consumers reach it. */
    static void link(Node prev, Node node) {
        NEXT.setRelease(prev, node);
    }

    /** The next task, or null if none is linked yet; consumer only. */
    Runnable poll() {
        Node h = head.get();
        Node n = (Node) NEXT.getAcquire(h);
        if (n == null) {
            return null;
        }
        NEXT.setOpaque(h, null); // h left the list: its link must not keep later tasks alive
        head.set(n);
        return n.task();
    }

    /** The last node added so far: a mark for {@link #pollUpTo}. Consumer only. */
    Node mark() {
        return tail.getVolatile();
    }

    /**
     * {@link #poll}, but null once the node {@code mark} has been consumed: what was added after
     * the mark waits for the next batch. Consumer only.
     */
    Runnable pollUpTo(Node mark) {
        return head.get() == mark ? null : poll();
    }

    /** Whether a task was added and not yet consumed (maybe not yet linked); consumer only. */
    boolean isEmpty() {
        return tail.getVolatile() == head.get();
    }

    /** Tasks queued now, counted up to {@code cap}; any thread, approximate (for statistics). */
    int size(int cap) {
        int n = 0;
        for (Node x = (Node) NEXT.getAcquire(head.get()); x != null && n < cap; x = (Node) NEXT.getAcquire(x)) {
            n++;
        }
        return n;
    }

    /**
     * Consumes everything added so far, under this queue's lock, into {@code into}. Only once the
     * consumer stopped for good: from then on consumers take turns through this method.
     *
     * <p>It waits for a producer that has exchanged the tail but not linked its node yet, instead of
     * stopping at the gap: the tasks behind that node would be left to nobody, since their senders,
     * not finding them here, take them for drained (which once lost thousands of tasks in
     * {@code RemoteQueueTest}'s close race). The wait is one producer's next instruction; it yields
     * in case that producer's thread is not running.
     */
    synchronized void drainLocked(ArrayDeque<Runnable> into) {
        for (;;) {
            Runnable r = poll();
            if (r != null) {
                into.addLast(r);
            } else if (tail.getVolatile() == head.get()) {
                return;
            } else {
                Thread.yield();
            }
        }
    }
}
