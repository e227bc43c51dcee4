package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Join handles: composition, cancellation that frees the task's sockets, timeouts. */
@Timeout(60)
class JoinHandleTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void handlesComposeAndAsyncStagesRunOnTheLoop(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("compose").build()) {
            JoinHandle<Integer> h = rt.spawn(() -> CompletableFuture.completedFuture(20));
            CompletableFuture<String> where = h.thenApplyAsync(v -> Thread.currentThread().getName() + ":" + (v + 1));
            assertEquals("compose-loop-0:21", where.get(10, TimeUnit.SECONDS));
            assertEquals(42, h.thenCompose(v -> rt.spawn(() -> CompletableFuture.completedFuture(v * 2 + 2))).get());
            assertEquals(20, h.get());
            assertEquals(h.loop(), rt.loops().getFirst());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aTaskWhoseOwnBodyClosesTheLoopIsCancelledNotLeftHanging(Backend backend) throws Exception {
        EventLoop loop = EventLoop.open(backend);
        // The body closes its caller-driven loop (which cancels every live task) and then returns
        // a stage that never completes: the task is listed as live only after its body returned,
        // so the forced shutdown that body began must still reach it.
        JoinHandle<Void> h = loop.spawn(() -> {
            loop.close();
            return new CompletableFuture<>();
        });
        loop.runOnce(Duration.ZERO);
        assertTrue(loop.isClosed());
        assertTrue(h.isCancelled(), h.toString());
        assertEquals(0, loop.taskCount());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void finishedTasksLeaveNothingLiveAndAForcedShutdownCancelsTheRunningOnes(Backend backend) throws Exception {
        Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("live").build();
        EventLoop loop = rt.next();
        for (int i = 0; i < 100; i++) {
            assertEquals(i, rt.blockOn(() -> CompletableFuture.completedFuture(0)) + i); // synchronous
        }
        CompletableFuture<String> never = new CompletableFuture<>();
        JoinHandle<String> waiting = loop.spawn(() -> never);
        JoinHandle<String> sleeping = loop.spawn(() -> loop.sleep(Duration.ofHours(1)).thenApply(v -> "woke"));
        rt.blockOn(() -> loop.yieldNow()); // both have started
        assertEquals(2, loop.taskCount());
        rt.close(); // forced: cancels what still runs
        assertTrue(waiting.isCancelled());
        assertTrue(sleeping.isCancelled() || sleeping.isCompletedExceptionally());
        assertEquals(0, loop.taskCount());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aSpawnRefusedByAClosedLoopFailsItsHandleAndLeavesNoCount(Backend backend) throws Exception {
        Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("refused").build();
        EventLoop loop = rt.next();
        assertEquals(7, rt.blockOn(() -> CompletableFuture.completedFuture(7)));
        rt.close();
        for (int i = 0; i < 3; i++) {
            JoinHandle<Integer> h = loop.spawn(() -> CompletableFuture.completedFuture(1));
            ExecutionException e = assertThrows(ExecutionException.class, () -> h.get(10, TimeUnit.SECONDS));
            assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, e.getCause());
            assertEquals(0, loop.taskCount(), "a refused spawn is not counted as pending, nor as finished twice");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void cancellingATaskClosesItsSocketsAndReleasesTheirRegistrations(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("cancel").build();
             ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            EventLoop loop = rt.next();
            CompletableFuture<AsyncTcpStream> opened = new CompletableFuture<>();
            // Two sockets, the second opened in a continuation: both belong to the task.
            JoinHandle<Integer> h = loop.spawn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer))
                    .thenCompose(a -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)))
                    .thenCompose(b -> {
                        opened.complete(b);
                        return b.read(ByteBuffer.allocate(16)); // waits forever: the peer never writes
                    }));
            try (Socket p1 = peer.accept(); Socket p2 = peer.accept()) {
                AsyncTcpStream b = opened.get(10, TimeUnit.SECONDS);
                int registrations = onLoop(loop, () -> registrations(loop));
                assertEquals(2, registrations);
                assertTrue(h.cancel(true));
                assertThrows(CancellationException.class, h::join);
                assertEquals(-1, p1.getInputStream().read(), "the first socket was closed");
                assertEquals(-1, p2.getInputStream().read(), "the second socket was closed");
                assertEquals(0, (int) onLoop(loop, () -> registrations(loop)));
                assertTrue(!b.isOpen());
                assertEquals(0, loop.taskCount());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void timeoutCancelsTheTaskAndFreesItsFd(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("timeout").build();
             ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            EventLoop loop = rt.next();
            JoinHandle<Integer> task = loop.spawn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer))
                    .thenCompose(s -> s.read(ByteBuffer.allocate(16))));
            CompletableFuture<Integer> limited = loop.timeout(task, Duration.ofMillis(300));
            try (Socket p = peer.accept()) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> limited.get(10, TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertTrue(task.isCancelled());
                assertEquals(-1, p.getInputStream().read(), "the task's socket was closed by the timeout");
                assertEquals(0, (int) onLoop(loop, () -> registrations(loop)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void completingTheHandleFromOutsideAbandonsTheTask(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("abandon").build();
             ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            EventLoop loop = rt.next();
            JoinHandle<Integer> task = loop.spawn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer))
                    .thenCompose(s -> s.read(ByteBuffer.allocate(16))));
            try (Socket p = peer.accept()) {
                task.orTimeout(100, TimeUnit.MILLISECONDS);
                ExecutionException e = assertThrows(ExecutionException.class, task::get);
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertEquals(-1, p.getInputStream().read(), "abandoning the task closed its socket");
            }
        }
    }

    static int registrations(EventLoop loop) {
        return loop.registrations();
    }

    static <T> T onLoop(EventLoop loop, java.util.function.Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(s.get()));
        return f.get(10, TimeUnit.SECONDS);
    }
}
