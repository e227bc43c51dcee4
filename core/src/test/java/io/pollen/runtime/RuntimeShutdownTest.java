package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shutdown and cancellation where they meet running code: a task blocked on a sleep, a shutdown
 * called from the runtime's own threads or by an interrupted thread, and a cancelled task that
 * goes on opening sockets or finishes just as it is cancelled.
 */
@Timeout(60)
class RuntimeShutdownTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aVirtualTaskSleepingAtShutdownIsWokenAndEnds(Backend backend) throws Exception {
        Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("sleeper").build();
        EventLoop loop = rt.next();
        CountDownLatch sleeping = new CountDownLatch(1);
        CompletableFuture<Thread> sleeper = new CompletableFuture<>();
        CompletableFuture<Throwable> woken = new CompletableFuture<>();
        // join() ignores the interrupt a cancel sends: only the sleep's own failure can end it.
        JoinHandle<Integer> h = rt.spawnVirtual(() -> {
            sleeper.complete(Thread.currentThread());
            CompletableFuture<Void> nap = loop.sleep(Duration.ofHours(1));
            sleeping.countDown();
            try {
                nap.join();
            } catch (RuntimeException e) {
                woken.complete(Completions.unwrap(e));
            }
            return 1;
        });
        assertTrue(sleeping.await(10, TimeUnit.SECONDS));
        assertFalse(rt.shutdown(Duration.ofMillis(100)), "the sleeper could not finish in time");
        assertThrows(CancellationException.class, h::join);
        assertInstanceOf(java.nio.channels.ClosedChannelException.class, woken.get(10, TimeUnit.SECONDS));
        assertTrue(sleeper.get().join(Duration.ofSeconds(10)), "the virtual thread ended, not parked for good");
        assertEquals(0, RuntimeTest.threads("sleeper"), "no loop thread left");
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aSleepFailsWhenItsLoopCloses(Backend backend) throws Exception {
        EventLoop loop = EventLoop.open(backend);
        CompletableFuture<Void> pending = loop.sleep(Duration.ofHours(1));
        loop.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        assertInstanceOf(java.nio.channels.ClosedChannelException.class, e.getCause());
        CompletableFuture<Void> late = loop.sleep(Duration.ofMillis(1));
        assertTrue(late.isCompletedExceptionally(), "a sleep on a closed loop fails at once");
    }

    @Test
    void shutdownOnTheRuntimesOwnThreadsIsRefused() throws Exception {
        try (Runtime rt = Runtime.builder().threadNamePrefix("self-stop").build()) {
            String onLoop = rt.blockOn(() -> CompletableFuture.supplyAsync(() -> refusal(rt), rt.next()));
            assertTrue(onLoop.contains("would wait for itself"), onLoop);
            String onVirtual = rt.spawnVirtual(() -> refusal(rt)).get(10, TimeUnit.SECONDS);
            assertTrue(onVirtual.contains("would wait for itself"), onVirtual);
            assertFalse(rt.isShutdown());
        }
        assertEquals(0, RuntimeTest.threads("self-stop"));
    }

    private static String refusal(Runtime rt) {
        return assertThrows(IllegalStateException.class, rt::close).getMessage();
    }

    @Test
    void anInterruptedCallerStillGetsEveryLoopClosed() throws Exception {
        Runtime rt = Runtime.builder().loops(2).threadNamePrefix("interrupted").build();
        rt.spawn(() -> rt.next().sleep(Duration.ofHours(1))); // a task for the shutdown to cancel
        Thread.currentThread().interrupt();
        try {
            assertFalse(rt.shutdown(Duration.ofSeconds(5)), "the interrupt cut the graceful wait short");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
        } finally {
            Thread.interrupted();
        }
        rt.loops().forEach(l -> assertTrue(l.isClosed(), l.toString()));
        assertEquals(0, RuntimeTest.threads("interrupted"));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void whatACancelledVirtualTaskOpensIsClosedAtOnce(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("cancelled-vt").build()) {
            EventLoop loop = rt.next();
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<AsyncUdpSocket> udp = new CompletableFuture<>();
            CompletableFuture<Throwable> connect = new CompletableFuture<>();
            InetSocketAddress nowhere = Loopback.closedPort();
            CountDownLatch started = new CountDownLatch(1);
            JoinHandle<Integer> h = rt.spawnVirtual(() -> {
                started.countDown();
                gate.join();
                Thread.interrupted(); // code that swallows the cancel's interrupt and goes on
                udp.complete(AsyncUdpSocket.bind(loop, Loopback.any()));
                try {
                    AsyncTcpStream.connect(loop, nowhere).join();
                    connect.complete(null);
                } catch (RuntimeException e) {
                    connect.complete(Completions.unwrap(e));
                }
                return 1;
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertTrue(h.cancel(true));
            gate.complete(null);
            AsyncUdpSocket socket = udp.get(10, TimeUnit.SECONDS);
            assertInstanceOf(CancellationException.class, connect.get(10, TimeUnit.SECONDS));
            // Asked on the loop: the socket's close ran there before this.
            assertFalse(JoinHandleTest.onLoop(loop, socket::isOpen),
                    "a socket opened by a cancelled task does not stay open");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aTaskThatFinishesAsItIsCancelledClosesItsSockets(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("finish-vs-cancel").build()) {
            EventLoop loop = rt.next();
            CompletableFuture<Integer> stage = new CompletableFuture<>();
            CompletableFuture<AsyncUdpSocket> made = new CompletableFuture<>();
            JoinHandle<Integer> h = loop.spawn(() -> {
                try {
                    made.complete(AsyncUdpSocket.bind(loop, Loopback.any()));
                } catch (java.io.IOException e) {
                    made.completeExceptionally(e);
                }
                return stage;
            });
            AsyncUdpSocket socket = made.get(10, TimeUnit.SECONDS);
            // Hold the loop, so that the stage's completion and the cancel queue up in this order.
            CountDownLatch hold = new CountDownLatch(1);
            loop.execute(() -> awaitQuietly(hold));
            stage.complete(1);    // off the loop: the task's completion is queued
            assertTrue(h.cancel(true)); // the handle is cancelled now; the clean-up queues behind
            hold.countDown();
            assertTrue(h.isCancelled());
            assertFalse(JoinHandleTest.onLoop(loop, socket::isOpen),
                    "the cancelled task's socket was closed, not left to nobody");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
