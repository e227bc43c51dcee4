package io.pollen.runtime;

import io.pollen.poll.Backend;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Async UDP: send/receive on the loop, waiting receives, blocking style, close. */
@Timeout(60)
class AsyncUdpSocketTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aWaitingReceiveCompletesWhenADatagramArrives(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncUdpSocket a = AsyncUdpSocket.bind(loop, Loopback.any());
            AsyncUdpSocket b = AsyncUdpSocket.bind(loop, Loopback.any());
            ByteBuffer in = ByteBuffer.allocate(100);
            CompletableFuture<InetSocketAddress> received = b.receiveFrom(in);
            loop.runOnce(Duration.ZERO);
            assertFalse(received.isDone(), "nothing sent yet");
            int sent = loop.blockOn(() -> a.sendTo(ByteBuffer.wrap("ping".getBytes()), b.localAddress()));
            assertEquals(4, sent);
            while (!received.isDone()) {
                loop.runOnce(Duration.ofMillis(10));
            }
            assertEquals(a.localAddress().getPort(), received.get().getPort());
            assertEquals("ping", new String(in.array(), 0, in.position()));
            a.close();
            b.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aBlockingStyleEchoOverUdp(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("udp").build()) {
            AsyncUdpSocket server = AsyncUdpSocket.bind(rt.next(), Loopback.any());
            AsyncUdpSocket client = AsyncUdpSocket.bind(rt.next(), Loopback.any());
            int n = 50;
            JoinHandle<Integer> echo = rt.spawnVirtual(() -> {
                ByteBuffer buf = ByteBuffer.allocate(64);
                for (int i = 0; i < n; i++) {
                    InetSocketAddress from = server.receiveFrom(buf.clear()).join();
                    server.sendTo(buf.flip(), from).join();
                }
                return n;
            });
            JoinHandle<Integer> ok = rt.spawnVirtual(() -> {
                int good = 0;
                ByteBuffer buf = ByteBuffer.allocate(64);
                for (int i = 0; i < n; i++) {
                    String msg = "datagram " + i;
                    client.sendTo(ByteBuffer.wrap(msg.getBytes()), server.localAddress()).join();
                    client.receiveFrom(buf.clear()).join();
                    good += msg.equals(new String(buf.array(), 0, buf.position())) ? 1 : 0;
                }
                return good;
            });
            assertEquals(n, ok.get(20, TimeUnit.SECONDS));
            assertEquals(n, echo.get(20, TimeUnit.SECONDS));
            server.close();
            client.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeFailsAWaitingReceive(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncUdpSocket s = AsyncUdpSocket.bind(loop, Loopback.any());
            CompletableFuture<InetSocketAddress> r = s.receiveFrom(ByteBuffer.allocate(8));
            s.close();
            assertFalse(s.isOpen());
            assertInstanceOf(AsynchronousCloseException.class, assertThrows(ExecutionException.class, r::get).getCause());
            assertTrue(s.sendTo(ByteBuffer.allocate(1), s.localAddress()).isCompletedExceptionally());
        }
    }
}
