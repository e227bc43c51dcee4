package io.pollen.runtime;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The low-level readiness API: register, readiness tracking, reregister, cancel, loop close. */
@Timeout(60)
class RegistrationTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aHandlerSeesReadinessAndDrainsUntilWouldBlock(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 5, Loopback.address())) {
            TcpStream s = TcpStream.connect(Loopback.addressOf(peer), backend);
            List<Integer> calls = new ArrayList<>();
            ByteBuffer got = ByteBuffer.allocate(1024);
            Registration[] reg = new Registration[1];
            reg[0] = loop.register(s, Interest.READABLE.add(Interest.WRITABLE), flags -> {
                calls.add(flags);
                assertTrue(loop.inLoop());
                try {
                    if (calls.size() == 1) {
                        // The first event completes the connect: takeError says how it went.
                        assertEquals(null, s.takeError());
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                if (Readiness.isReadable(flags)) {
                    try {
                        int n;
                        while ((n = s.read(got)) > 0) {
                            // drain
                        }
                        if (n == 0) {
                            reg[0].clearReadiness(Readiness.READABLE);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            try (Socket p = peer.accept()) {
                while (calls.stream().noneMatch(Readiness::isWritable)) {
                    loop.runOnce(Duration.ofMillis(50));
                }
                assertTrue(Readiness.isWritable(reg[0].readiness()), Readiness.toString(reg[0].readiness()));
                p.getOutputStream().write("abc".getBytes());
                while (got.position() < 3) {
                    loop.runOnce(Duration.ofMillis(50));
                }
                assertEquals("abc", new String(got.array(), 0, 3));
                assertFalse(Readiness.isReadable(reg[0].readiness()), "cleared after would-block");
                // Only readable from now on: a reregister replaces the interest.
                reg[0].reregister(Interest.READABLE);
                assertEquals(Interest.READABLE, reg[0].interest());
                reg[0].cancel();
                reg[0].cancel();
                assertFalse(reg[0].isActive());
                int before = calls.size();
                p.getOutputStream().write("more".getBytes());
                loop.runOnce(Duration.ofMillis(50));
                assertEquals(before, calls.size(), "no calls after cancel");
                assertThrows(IllegalStateException.class, () -> reg[0].reregister(Interest.WRITABLE));
            } finally {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void releaseThenCloseForgetsTheSocketAndItsSlotServesTheNextOne(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 5, Loopback.address())) {
            TcpStream first = TcpStream.connect(Loopback.addressOf(peer), backend);
            List<Integer> firstCalls = new ArrayList<>();
            Registration r1 = loop.register(first, Interest.READABLE.add(Interest.WRITABLE), firstCalls::add);
            try (Socket p1 = peer.accept()) {
                // The connect's writable event may already be queued in the kernel: release and
                // close must make it vanish, with no epoll_ctl(DEL) in between.
                r1.release();
                r1.release();
                assertFalse(r1.isActive());
                first.close();
                p1.getOutputStream().write("to a closed socket".getBytes());

                TcpStream second = TcpStream.connect(Loopback.addressOf(peer), backend);
                List<Integer> secondCalls = new ArrayList<>();
                Registration r2 = loop.register(second, Interest.READABLE.add(Interest.WRITABLE), flags -> {
                    if (secondCalls.isEmpty()) {
                        try {
                            assertEquals(null, second.takeError()); // how the connect went: it succeeded
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    secondCalls.add(flags);
                });
                try (Socket p2 = peer.accept()) {
                    assertTrue(r2.token != r1.token, "a reused slot gets a new generation");
                    p2.getOutputStream().write(1);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (secondCalls.stream().noneMatch(Readiness::isReadable) && System.nanoTime() < deadline) {
                        loop.runOnce(Duration.ofMillis(50));
                    }
                    assertTrue(secondCalls.stream().anyMatch(Readiness::isReadable), "the new socket's data was reported");
                    assertEquals(List.of(), firstCalls, "no event reached the released registration");
                } finally {
                    second.close();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aThrowingHandlerDoesNotStopTheLoop(Backend backend) throws Exception {
        List<Throwable> errors = new ArrayList<>();
        try (EventLoop loop = EventLoop.create("throwing", backend, Ticker.system(), (l, t) -> errors.add(t), 64, 0);
             ServerSocket peer = new ServerSocket(0, 5, Loopback.address())) {
            TcpStream s = TcpStream.connect(Loopback.addressOf(peer), backend);
            loop.register(s, Interest.WRITABLE, flags -> {
                throw new IllegalStateException("handler bug");
            });
            try (Socket p = peer.accept()) {
                while (errors.isEmpty()) {
                    loop.runOnce(Duration.ofMillis(50));
                }
                assertTrue(errors.getFirst() instanceof IllegalStateException);
                assertEquals(7, loop.blockOn(() -> CompletableFuture.completedFuture(7)));
            }
        } // closing the loop closes the registered socket (a Closeable source)
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closingTheLoopClosesRegisteredSockets(Backend backend) throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 5, Loopback.address())) {
            TcpStream s;
            try (EventLoop loop = EventLoop.open(backend)) {
                s = TcpStream.connect(Loopback.addressOf(peer), backend);
                loop.register(s, Interest.READABLE, flags -> { });
            }
            assertFalse(s.isOpen());
            peer.accept().close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void registerIsForTheLoopThreadAndCancelIsForAnyThread(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("reg").build();
             ServerSocket peer = new ServerSocket(0, 5, Loopback.address())) {
            EventLoop loop = rt.next();
            TcpStream s = TcpStream.connect(Loopback.addressOf(peer), backend);
            assertThrows(IllegalStateException.class, () -> loop.register(s, Interest.READABLE, f -> { }));
            CompletableFuture<Registration> reg = new CompletableFuture<>();
            loop.execute(() -> reg.complete(loop.register(s, Interest.READABLE, f -> { })));
            Registration r = reg.get(10, TimeUnit.SECONDS);
            r.cancel(); // from the test thread: handed to the loop
            assertEquals(0, (int) JoinHandleTest.onLoop(loop, () -> JoinHandleTest.registrations(loop)));
            assertFalse(r.isActive());
            s.close();
            peer.accept().close();
        }
    }

    @Test
    void readinessBitsReadBack() {
        int f = Readiness.READABLE | Readiness.ERROR | Readiness.READ_CLOSED;
        assertTrue(Readiness.isReadable(f) && Readiness.isError(f) && Readiness.isReadClosed(f));
        assertFalse(Readiness.isWritable(f) || Readiness.isWriteClosed(f) || Readiness.isPriority(f));
        assertEquals("READABLE|ERROR|READ_CLOSED", Readiness.toString(f));
        assertEquals("NONE", Readiness.toString(0));
    }

    @Test
    void aManualTickerOnlyMovesForward() {
        ManualTicker t = new ManualTicker(5);
        t.advance(Duration.ofNanos(10));
        assertEquals(15, t.nanoTime());
        assertThrows(IllegalArgumentException.class, () -> t.advanceNanos(-1));
        long a = Ticker.system().nanoTime();
        assertTrue(Ticker.system().nanoTime() - a >= 0);
    }
}
