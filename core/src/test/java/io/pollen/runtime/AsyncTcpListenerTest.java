package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.Echo;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Async listeners: waiting accepts, the acceptor hand-over, SO_REUSEPORT per loop, close. */
@Timeout(60)
class AsyncTcpListenerTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void waitingAcceptsAreServedInCallOrder(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncTcpListener l = AsyncTcpListener.bind(loop, Loopback.any());
            InetSocketAddress addr = l.localAddress();
            assertTrue(addr.getPort() > 0);
            List<CompletableFuture<AsyncTcpStream>> accepts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                accepts.add(l.accept());
            }
            loop.runOnce(java.time.Duration.ZERO);
            assertTrue(accepts.stream().noneMatch(CompletableFuture::isDone));
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket c = new Socket(addr.getAddress(), addr.getPort());
                    c.getOutputStream().write(i);
                    clients.add(c);
                    while (!accepts.get(i).isDone()) {
                        loop.runOnce(java.time.Duration.ofMillis(10));
                    }
                }
                for (int i = 0; i < 3; i++) {
                    AsyncTcpStream s = accepts.get(i).get();
                    ByteBuffer b = ByteBuffer.allocate(1);
                    loop.blockOn(() -> s.readExactly(b));
                    assertEquals(i, b.get(0), "accept " + i + " got connection " + i);
                    assertEquals(clients.get(i).getLocalPort(), s.socket().peerAddress().getPort());
                    s.close();
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            l.close();
            assertFalse(l.isOpen());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anAcceptorHandsConnectionsToOtherLoops(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).loops(2).threadNamePrefix("acceptor").build()) {
            EventLoop a = rt.loops().get(0), b = rt.loops().get(1);
            AsyncTcpListener l = AsyncTcpListener.bind(a, Loopback.any());
            CompletableFuture<String> where = l.accept(b).thenApply(s -> {
                String name = Thread.currentThread().getName() + "/" + s.loop().name();
                s.close();
                return name;
            });
            try (Socket c = new Socket(l.localAddress().getAddress(), l.localAddress().getPort())) {
                assertEquals("acceptor-loop-1/acceptor-loop-1", where.get(10, TimeUnit.SECONDS));
            }
            l.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void oneReusePortListenerPerLoopServesEveryConnection(Backend backend) throws Exception {
        int loops = 2, connections = 200;
        try (Runtime rt = Runtime.builder().backend(backend).loops(loops).threadNamePrefix("reuseport").build()) {
            AsyncTcpListener first = AsyncTcpListener.bind(rt.loops().get(0), Loopback.any(), 128, true);
            AsyncTcpListener second = AsyncTcpListener.bind(rt.loops().get(1), first.localAddress(), 128, true);
            assertEquals(first.localAddress(), second.localAddress());
            rt.loops().get(0).execute(() -> Echo.serve(first, i -> first.loop()));
            rt.loops().get(1).execute(() -> Echo.serve(second, i -> second.loop()));
            List<JoinHandle<byte[]>> trips = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                byte[] p = Echo.payload(i, 10);
                EventLoop l = rt.next();
                trips.add(l.spawn(() -> Echo.roundTrip(l, first.localAddress(), p)));
            }
            for (int i = 0; i < connections; i++) {
                assertEquals(new String(Echo.payload(i, 10)), new String(trips.get(i).get(20, TimeUnit.SECONDS)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closingFailsWaitingAcceptsAndRefusesNewOnes(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncTcpListener l = AsyncTcpListener.bind(loop, Loopback.any());
            CompletableFuture<AsyncTcpStream> waiting = l.accept();
            l.close();
            l.close();
            assertInstanceOf(AsynchronousCloseException.class,
                    assertThrows(ExecutionException.class, waiting::get).getCause());
            assertInstanceOf(ClosedChannelException.class,
                    assertThrows(ExecutionException.class, () -> l.accept().get()).getCause());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aListenerIsClosedWithItsLoop(Backend backend) throws Exception {
        InetSocketAddress addr;
        CompletableFuture<AsyncTcpStream> waiting;
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncTcpListener l = AsyncTcpListener.bind(loop, Loopback.any());
            addr = l.localAddress();
            waiting = l.accept();
        }
        assertTrue(waiting.isCompletedExceptionally());
        assertThrows(java.net.ConnectException.class, () -> new Socket(addr.getAddress(), addr.getPort()).close());
    }
}
