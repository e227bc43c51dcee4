package io.pollen.runtime;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Reactor on its own: the decoupled shape, stale tokens, ownership rules. */
@Timeout(60)
class ReactorTest {
    /**
     * The chapter's shape: the reactor polls on its own thread and only wakes tasks; the tasks
     * (one state machine per connection) run on a separate thread pool.
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aReactorThreadWakesTasksThatRunOnAnExecutor(Backend backend) throws Exception {
        int connections = 50;
        ExecutorService pool = Executors.newFixedThreadPool(3, Thread.ofPlatform().name("executor-", 0).factory());
        Reactor reactor = Reactor.open(backend);
        Thread reactorThread = reactor.start("decoupled-reactor");
        try (ServerSocket server = new ServerSocket(0, 100, Loopback.address())) {
            Thread echo = Thread.ofPlatform().start(() -> echoBlocking(server, connections));
            Set<String> handlerThreads = ConcurrentHashMap.newKeySet();
            Set<String> taskThreads = ConcurrentHashMap.newKeySet();
            List<CompletableFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Conn c = new Conn(TcpStream.connect(Loopback.addressOf(server), backend), "hello " + i, taskThreads);
                replies.add(c.reply);
                ReadyHandler wake = ReadyHandler.resumeOn(pool, flags -> c.step());
                reactor.execute(() -> c.reg = reactor.register(c.stream, Interest.READABLE.add(Interest.WRITABLE), flags -> {
                    handlerThreads.add(Thread.currentThread().getName());
                    wake.ready(flags);
                }));
            }
            for (int i = 0; i < connections; i++) {
                assertEquals("hello " + i, replies.get(i).get(20, TimeUnit.SECONDS));
            }
            echo.join(10_000);
            assertEquals(Set.of("decoupled-reactor"), handlerThreads, "handlers run on the reactor thread");
            assertFalse(taskThreads.isEmpty());
            assertTrue(taskThreads.stream().allMatch(n -> n.startsWith("executor-")), taskThreads.toString());
        } finally {
            reactor.close(); // closes the registered streams and joins the reactor thread
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertFalse(reactorThread.isAlive());
    }

    /** One connection's task: a small state machine, resumed by the reactor, run on the pool. */
    private static final class Conn {
        final TcpStream stream;
        final ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(64);
        final CompletableFuture<String> reply = new CompletableFuture<>();
        final Set<String> threads;
        volatile Registration reg;
        boolean connected;

        Conn(TcpStream stream, String msg, Set<String> threads) {
            this.stream = stream;
            this.out = ByteBuffer.wrap(msg.getBytes());
            this.threads = threads;
        }

        synchronized void step() {
            threads.add(Thread.currentThread().getName());
            try {
                if (!connected) {
                    IOException e = stream.takeError();
                    if (e != null) {
                        throw e;
                    }
                    try {
                        stream.peerAddress();
                    } catch (java.nio.channels.NotYetConnectedException stillConnecting) {
                        return;
                    }
                    connected = true;
                }
                while (out.hasRemaining() && stream.write(out) > 0) {
                    // write until done or would block
                }
                int n;
                while ((n = stream.read(in)) > 0) {
                    // read until would block or EOF
                }
                if (n < 0) {
                    reply.complete(new String(in.array(), 0, in.position()));
                }
            } catch (IOException e) {
                reply.completeExceptionally(e);
            }
        }
    }

    private static void echoBlocking(ServerSocket server, int n) {
        for (int i = 0; i < n; i++) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] b = new byte[64];
                int len = 0;
                // The messages are short: one read each is enough on loopback, but loop to be safe.
                while (len < 7 || (len < 8 && b[6] != ' ')) {
                    int r = in.read(b, len, b.length - len);
                    if (r < 0) {
                        break;
                    }
                    len += r;
                    if (in.available() == 0 && len >= 7) {
                        break;
                    }
                }
                out.write(b, 0, len);
            } catch (IOException e) {
                return;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anEventForACancelledRegistrationIsDroppedEvenIfTheSlotWasReused(Backend backend) throws Exception {
        try (Reactor reactor = Reactor.open(backend);
             TcpListener l1 = TcpListener.bind(Loopback.any(), backend);
             TcpListener l2 = TcpListener.bind(Loopback.any(), backend);
             Socket c1 = new Socket(l1.localAddress().getAddress(), l1.localAddress().getPort())) {
            AtomicInteger first = new AtomicInteger(), second = new AtomicInteger();
            Registration r1 = reactor.register(l1, Interest.READABLE, f -> first.incrementAndGet());
            runUntil(reactor, () -> first.get() > 0);
            assertEquals(1, first.get(), "l1 has a pending connection");
            drainAccepts(l1);
            // Forget r1 without telling the kernel: l1 stays registered under r1's old token, and
            // r2 takes the same slot with a new generation.
            r1.release();
            Registration r2 = reactor.register(l2, Interest.READABLE, f -> second.incrementAndGet());
            assertFalse(r1.isActive());
            assertTrue(r2.isActive());
            try (Socket c3 = new Socket(l1.localAddress().getAddress(), l1.localAddress().getPort());
                 Socket c4 = new Socket(l2.localAddress().getAddress(), l2.localAddress().getPort())) {
                // l1's event carries the stale token; l2's the new one. Only l2's may be dispatched.
                runUntil(reactor, () -> second.get() > 0);
                reactor.runOnce(20_000_000L);
                assertEquals(1, first.get(), "the stale event did not reach the cancelled handler");
                assertEquals(1, second.get(), "nor the new registration in the reused slot, more than its own");
                drainAccepts(l1);
                drainAccepts(l2);
            }
        }
    }

    /** Runs turns (up to 5 s each) until {@code done}. */
    private static void runUntil(Reactor reactor, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for an event");
            reactor.runOnce(100_000_000L);
        }
    }

    private static void drainAccepts(TcpListener l) throws IOException {
        TcpStream s;
        while ((s = l.accept()) != null) {
            s.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void registerBelongsToTheReactorThread(Backend backend) throws Exception {
        try (Reactor reactor = Reactor.open(backend); TcpListener l = TcpListener.bind(Loopback.any(), backend)) {
            CompletableFuture<Throwable> off = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    reactor.register(l, Interest.READABLE, f -> { });
                    off.complete(null);
                } catch (Throwable t) {
                    off.complete(t);
                }
            }).join();
            assertTrue(off.get() instanceof IllegalStateException, String.valueOf(off.get()));
            // execute() hands it over instead.
            CompletableFuture<Registration> reg = new CompletableFuture<>();
            reactor.execute(() -> reg.complete(reactor.register(l, Interest.READABLE, f -> { })));
            reactor.runOnce(0);
            assertTrue(reg.get().isActive());
            assertEquals(1, reactor.registrations());
            reg.get().cancel();
            assertEquals(0, reactor.registrations());
            assertThrows(NullPointerException.class, () -> reactor.register(l, null, f -> { }));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void wakeupsFromManyThreadsCoalesceAndNoneIsLost(Backend backend) throws Exception {
        try (Reactor reactor = Reactor.open(backend)) {
            AtomicInteger ran = new AtomicInteger();
            int rounds = 200;
            for (int r = 0; r < rounds; r++) {
                Thread t = Thread.ofPlatform().start(() -> reactor.execute(ran::incrementAndGet));
                // Polls without a timeout: only the wake-up (or seeing the command before
                // parking) ends a turn that did not run the command. A lost wake-up hangs here.
                while (ran.get() <= r) {
                    reactor.runOnce(-1);
                }
                t.join();
            }
            assertEquals(rounds, ran.get());
        }
    }

    /**
     * A command handed over while the reactor closes either runs or is refused with
     * RejectedExecutionException: never accepted and then dropped.
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aCommandRacingCloseRunsOrIsRefused(Backend backend) throws Exception {
        for (int round = 0; round < 200; round++) {
            Reactor reactor = Reactor.open(backend);
            reactor.start("closing-reactor");
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        reactor.execute(ran::incrementAndGet);
                        accepted.incrementAndGet();
                    }
                } catch (java.util.concurrent.RejectedExecutionException refused) {
                    // the reactor closed: the end of this round
                }
            });
            reactor.close(); // joins the reactor's thread, which runs what it took
            sender.join();
            assertEquals(accepted.get(), ran.get(), "round " + round + ": every accepted command ran");
        }
    }
}
