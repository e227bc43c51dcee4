package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.AsyncPermits;
import io.pollen.testing.Echo;
import io.pollen.testing.Fds;
import io.pollen.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime: N loops, virtual-thread tasks, blockOn, graceful shutdown. */
@Timeout(120)
class RuntimeTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void tenThousandRoundTripsSpreadOverNLoops(Backend backend) throws Exception {
        int tasks = 10_000, loops = 3;
        try (Runtime rt = Runtime.builder().backend(backend).loops(loops).threadNamePrefix("nloops").build()) {
            EventLoop acceptor = rt.loops().getFirst();
            AsyncTcpListener server = AsyncTcpListener.bind(acceptor, Loopback.any(), 4096, false);
            Map<String, Integer> servedOn = new ConcurrentHashMap<>();
            // One acceptor hands each connection to the next loop, round-robin.
            acceptor.execute(() -> Echo.acceptLoop(server, i -> rt.loops().get(i % loops), new int[1], s -> {
                servedOn.merge(s.loop().name(), 1, Integer::sum);
                Echo.echo(s);
            }));
            Map<EventLoop, AsyncPermits> permits = new HashMap<>();
            for (EventLoop l : rt.loops()) {
                permits.put(l, new AsyncPermits(Fds.budget(tasks) / loops));
            }
            List<JoinHandle<Boolean>> handles = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                byte[] payload = Echo.payload(i, 1 + i % 100);
                EventLoop loop = rt.next();
                AsyncPermits p = permits.get(loop);
                handles.add(loop.spawn(() -> p.acquire().thenCompose(v ->
                        Echo.roundTrip(loop, server.localAddress(), payload)
                                .whenComplete((b, e) -> p.release())
                                .thenApply(b -> Arrays.equals(b, payload)))));
            }
            int ok = 0;
            for (JoinHandle<Boolean> h : handles) {
                ok += h.get(60, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(tasks, ok);
            assertEquals(Set.of("nloops-loop-0", "nloops-loop-1", "nloops-loop-2"), servedOn.keySet());
            servedOn.values().forEach(n -> assertTrue(n >= tasks / loops - 1, servedOn.toString()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void virtualThreadEchoClientsAndServerParkWithoutPinningCarriers(Backend backend) throws Exception {
        int clients = 64; // far more than carrier threads: pinned carriers would deadlock this test
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("vt").build()) {
            AsyncTcpListener server = AsyncTcpListener.bind(rt.next(), Loopback.any());
            CountDownLatch allArrived = new CountDownLatch(clients);
            JoinHandle<Void> acceptor = rt.spawnVirtual(() -> {
                for (int i = 0; i < clients; i++) {
                    AsyncTcpStream s = server.accept().join();
                    rt.spawnVirtual(() -> {
                        try (s) {
                            ByteBuffer buf = ByteBuffer.allocate(64);
                            s.readExactly(buf).join();
                            allArrived.countDown();
                            allArrived.await(); // every server task waits here at the same time
                            s.writeAll(buf.flip()).join();
                            s.shutdownOutput().join();
                        }
                        return null;
                    });
                }
                return null;
            });
            List<JoinHandle<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                byte[] payload = Echo.payload(i, 64);
                results.add(rt.spawnVirtual(() -> {
                    assertTrue(Thread.currentThread().isVirtual());
                    try (AsyncTcpStream s = AsyncTcpStream.connect(rt.next(), server.localAddress()).join()) {
                        s.writeAll(ByteBuffer.wrap(payload)).join();
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        ByteBuffer buf = ByteBuffer.allocate(16);
                        int n;
                        while ((n = s.read(buf.clear()).join()) >= 0) {
                            out.write(buf.array(), 0, n);
                        }
                        return out.toByteArray();
                    }
                }));
            }
            for (int i = 0; i < clients; i++) {
                assertArrayEquals(Echo.payload(i, 64), results.get(i).get(30, TimeUnit.SECONDS));
            }
            acceptor.get(10, TimeUnit.SECONDS);
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void cancellingAVirtualTaskClosesItsSocketsAndInterruptsIt(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("vtcancel").build();
             java.net.ServerSocket peer = new java.net.ServerSocket(0, 50, Loopback.address())) {
            CountDownLatch reading = new CountDownLatch(1);
            JoinHandle<Integer> h = rt.spawnVirtual(() -> {
                AsyncTcpStream s = AsyncTcpStream.connect(rt.next(), Loopback.addressOf(peer)).join();
                reading.countDown();
                return s.read(ByteBuffer.allocate(8)).join();
            });
            try (Socket p = peer.accept()) {
                assertTrue(reading.await(10, TimeUnit.SECONDS));
                assertTrue(h.cancel(true));
                assertThrows(CancellationException.class, h::join);
                assertEquals(-1, p.getInputStream().read(), "the virtual task's socket was closed");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void shutdownWithTasksInFlightLeavesNoFdAndNoThread(Backend backend) throws Exception {
        Fds.Snapshot before = Fds.snapshot();
        Runtime rt = Runtime.builder().backend(backend).loops(2).threadNamePrefix("shutdown-test").build();
        AsyncTcpListener silent = AsyncTcpListener.bind(rt.next(), Loopback.any());
        InetSocketAddress addr = silent.localAddress();
        List<JoinHandle<?>> stuck = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            stuck.add(rt.spawn(() -> silent.accept())); // server side, kept open
            EventLoop l = rt.next();
            stuck.add(l.spawn(() -> AsyncTcpStream.connect(l, addr).thenCompose(s -> s.read(ByteBuffer.allocate(4)))));
            stuck.add(rt.spawnVirtual(() -> {
                AsyncTcpStream s = AsyncTcpStream.connect(rt.next(), addr).join();
                return s.read(ByteBuffer.allocate(4)).join();
            }));
        }
        stuck.add(rt.spawn(() -> rt.next().sleep(Duration.ofHours(1))));
        Thread.sleep(200);
        assertTrue(threads("shutdown-test") >= 2);

        assertFalse(rt.shutdown(Duration.ofMillis(300)), "tasks had to be cancelled");

        for (JoinHandle<?> h : stuck) {
            assertTrue(h.isDone(), "every task ended: " + h);
        }
        assertEquals(0, threads("shutdown-test"), "no loop or virtual thread is left");
        before.assertNoLeak();
        assertThrows(ConnectException.class, () -> new Socket(addr.getAddress(), addr.getPort()).close(),
                "the listener is closed");
        assertTrue(rt.loops().stream().allMatch(EventLoop::isClosed));
        assertFalse(rt.shutdown(Duration.ZERO), "shutdown is idempotent");
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void gracefulShutdownLetsTasksFinish(Backend backend) throws Exception {
        Runtime rt = Runtime.builder().backend(backend).loops(2).threadNamePrefix("graceful").build();
        JoinHandle<String> slow = rt.spawn(() -> rt.next().sleep(Duration.ofMillis(200)).thenApply(v -> "done"));
        JoinHandle<String> vt = rt.spawnVirtual(() -> {
            Thread.sleep(100);
            return "vt done";
        });
        assertTrue(rt.shutdown(Duration.ofSeconds(20)));
        assertEquals("done", slow.getNow(null));
        assertEquals("vt done", vt.getNow(null));
        assertEquals(0, threads("graceful"));
        assertInstanceOf(java.util.concurrent.RejectedExecutionException.class,
                assertThrows(ExecutionException.class, () -> rt.spawnVirtual(() -> 1).get()).getCause());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void blockOnReturnsTheResultOrThrowsTheFailure(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build()) {
            assertEquals("pollen-loop-0", rt.blockOn(() -> CompletableFuture.supplyAsync(
                    () -> Thread.currentThread().getName(), rt.next())));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> rt.blockOn(() -> CompletableFuture.failedFuture(new IllegalStateException("x"))));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            CompletableFuture<String> f = new CompletableFuture<>();
            rt.execute(() -> f.complete("executed"));
            assertEquals("executed", f.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void blockOnVirtualReturnsTheResultAndItsFailuresAreNeverReportedAsUncaught() throws Exception {
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Runtime rt = Runtime.builder().threadNamePrefix("block-virtual")
                .errorHandler((loop, e) -> reported.add(e)).build()) {
            assertTrue(rt.blockOnVirtual(() -> Thread.currentThread().isVirtual()));
            // A failure that comes before this thread waits is still this call's, not "uncaught"
            // (spawnVirtual(...).get() cannot promise that: the task may fail before get()).
            for (int i = 0; i < 200; i++) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> rt.blockOnVirtual(() -> {
                    throw new IllegalStateException("fails at once");
                }));
                assertInstanceOf(IllegalStateException.class, e.getCause());
            }
        }
        assertTrue(reported.isEmpty(), reported.toString());
    }

    /**
     * close() right after a task ended must end the loop, every time. Seen in CI, one close in a
     * few hundred: the loop's drain step read OPEN and wrote DRAINING over a concurrent stop's
     * STOPPING, and then slept in its poll for good while close() joined it. A refused connect
     * per round (async, then on a virtual thread) keeps the loop busy as close() comes in, which
     * is when the two meet.
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeRightAfterATaskAlwaysEndsTheLoop(Backend backend) throws Exception {
        InetSocketAddress nowhere = io.pollen.testing.Loopback.closedPort();
        for (int round = 0; round < 1_500; round++) {
            Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("quick-close")
                    .errorHandler((loop, e) -> { }).build();
            EventLoop loop = rt.next();
            ExecutionException refused = assertThrows(ExecutionException.class, round % 2 == 0
                    ? () -> rt.blockOn(() -> AsyncTcpStream.connect(loop, nowhere))
                    : () -> rt.spawnVirtual(() -> AsyncTcpStream.connect(loop, nowhere).join()).get());
            assertTrue(String.valueOf(refused.getCause()).contains("refused"), refused.toString());
            Thread closer = Thread.ofPlatform().start(rt::close);
            closer.join(Duration.ofSeconds(20));
            if (closer.isAlive()) {
                rt.loops().forEach(EventLoop::stop); // free the loop if it only slept through the stop
                throw new AssertionError("round " + round + ": close() did not end the loop within 20 s");
            }
        }
        assertEquals(0, threads("quick-close"));
    }

    @Test
    void loopPerCoreStartsOneRunningLoopPerProcessor() throws Exception {
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        try (Runtime rt = Runtime.builder().loops(1).loopPerCore().threadNamePrefix("per-core").build()) {
            assertEquals(cores, rt.loops().size());
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(cores);
            for (EventLoop l : rt.loops()) {
                l.execute(() -> {
                    ran.add(Thread.currentThread());
                    done.countDown();
                });
            }
            assertTrue(done.await(10, TimeUnit.SECONDS), "every loop runs a task");
            assertEquals(cores, ran.size(), "each loop has its own thread");
        }
        assertEquals(0, threads("per-core"), "closing the runtime ends every loop thread");
    }

    @Test
    void theBuilderRefusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> Runtime.builder().loops(0));
        assertThrows(IllegalArgumentException.class, () -> Runtime.builder().threadNamePrefix(" "));
        assertThrows(IllegalArgumentException.class, () -> Runtime.builder().taskBudget(0));
        assertThrows(NullPointerException.class, () -> Runtime.builder().clock(null));
    }

    static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }
}
