package io.pollen.snippets;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.runtime.AsyncTcpListener;
import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.AsyncUdpSocket;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.JoinHandle;
import io.pollen.runtime.ManualTicker;
import io.pollen.runtime.Reactor;
import io.pollen.runtime.ReadyHandler;
import io.pollen.runtime.Runtime;
import io.pollen.testing.Echo;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples of {@code io.pollen.runtime}'s Javadoc ({@code {@snippet
 * class=io.pollen.snippets.RuntimeSnippetsTest region=...}}), compiled and run here on every
 * backend, so that a doc example cannot rot.
 */
@Timeout(30)
class RuntimeSnippetsTest {

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void eventLoop(Backend backend) throws Exception {
        // @start region="event-loop"
        try (EventLoop loop = EventLoop.open(backend)) { // @replace substring="backend" replacement="Backend.select()"
            int n = loop.blockOn(() -> loop.sleep(Duration.ofMillis(5)).thenApply(v -> 42)); // runs the loop here until done
            assertEquals(42, n); // @replace regex="assertEquals.*" replacement="// n is 42"
        }
        // @end
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void runtimeAndStream(Backend backend) throws Exception {
        try (Runtime server = Runtime.builder().backend(backend).loops(1).threadNamePrefix("echo").build()) {
            AsyncTcpListener echo = AsyncTcpListener.bind(server.next(), Loopback.any());
            server.next().execute(() -> Echo.serve(echo, i -> echo.loop()));
            InetSocketAddress addr = echo.localAddress();
            // @start region="runtime"
            try (Runtime rt = Runtime.builder().backend(backend).loops(4).threadNamePrefix("app").build()) { // @replace substring=".backend(backend)" replacement=""
                // async style: stages chained on one loop
                String reply = rt.blockOn(() -> AsyncTcpStream.connect(rt.next(), addr).thenCompose(s -> {
                    ByteBuffer buf = ByteBuffer.allocate(4);
                    return s.writeAll(US_ASCII.encode("ping"))
                            .thenCompose(v -> s.readExactly(buf))
                            .thenApply(v -> US_ASCII.decode(buf.flip()).toString())
                            .whenComplete((r, e) -> s.close());
                }));
                // the same I/O, blocking style, on a virtual thread
                String again = rt.blockOnVirtual(() -> {
                    AsyncTcpStream s = AsyncTcpStream.connect(rt.next(), addr).join();
                    try {
                        s.writeAll(US_ASCII.encode("pong")).join();
                        ByteBuffer buf = ByteBuffer.allocate(4);
                        s.readExactly(buf).join();
                        return US_ASCII.decode(buf.flip()).toString();
                    } finally {
                        s.close();
                    }
                });
                assertEquals("ping", reply); // @replace regex="assertEquals.*" replacement='// reply is "ping"'
                assertEquals("pong", again); // @replace regex="assertEquals.*" replacement='// again is "pong"'
            }
            // @end
            EventLoop loop = server.next();
            // @start region="stream"
            ByteBuffer request = US_ASCII.encode("GET");
            ByteBuffer header = ByteBuffer.allocate(3);
            CompletableFuture<Void> exchange = AsyncTcpStream.connect(loop, addr, Duration.ofSeconds(2))
                    .thenCompose(s -> s.writeAll(request).thenCompose(v -> s.readExactly(header)).whenComplete((v, e) -> s.close()));
            // @end
            exchange.get(10, TimeUnit.SECONDS);
            assertEquals("GET", US_ASCII.decode(header.flip()).toString());
            echo.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void listenerAcceptsOnItsLoopOrAnother(Backend backend) throws Exception {
        try (Runtime runtime = Runtime.builder().backend(backend).loops(2).threadNamePrefix("acceptor").build()) {
            EventLoop loop = runtime.next();
            AsyncTcpListener server = runtime.blockOn(() -> {
                try {
                    // @start region="listener"
                    AsyncTcpListener listener = AsyncTcpListener.bind(loop, new InetSocketAddress("127.0.0.1", 0));
                    // the connection lives on the listener's loop
                    listener.accept().thenAccept(conn -> conn.writeAll(US_ASCII.encode("one")).whenComplete((v, e) -> conn.close()));
                    // or is handed to another loop (the acceptor pattern)
                    listener.accept(runtime.next()).thenAccept(conn -> conn.writeAll(US_ASCII.encode("two")).whenComplete((v, e) -> conn.close()));
                    // @end
                    return CompletableFuture.completedFuture(listener);
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 2; i++) {
                try (Socket s = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
                     InputStream in = s.getInputStream()) {
                    got.append(new String(in.readAllBytes(), US_ASCII));
                }
            }
            assertEquals("onetwo", got.toString());
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void udpEchoesOneDatagram(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).threadNamePrefix("udp").build();
             DatagramSocket peer = new DatagramSocket(0, Loopback.address())) {
            EventLoop loop = rt.next();
            // @start region="udp"
            AsyncUdpSocket udp = AsyncUdpSocket.bind(loop, new InetSocketAddress("127.0.0.1", 0));
            ByteBuffer buf = ByteBuffer.allocate(1500);
            udp.receiveFrom(buf).thenCompose(from -> udp.sendTo(buf.flip(), from)); // echo one datagram
            // @end
            byte[] ping = "ping".getBytes(US_ASCII);
            peer.send(new DatagramPacket(ping, ping.length, udp.localAddress()));
            DatagramPacket back = new DatagramPacket(new byte[16], 16);
            peer.setSoTimeout(10_000);
            peer.receive(back);
            assertEquals("ping", new String(back.getData(), 0, back.getLength(), US_ASCII));
            udp.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void joinHandleComposesOrCancels(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).threadNamePrefix("join").build();
             java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, Loopback.address())) {
            EventLoop loop = rt.next();
            LinkedBlockingQueue<String> printed = new LinkedBlockingQueue<>();
            // @start region="join-handle"
            ByteBuffer buf = ByteBuffer.allocate(1024);
            JoinHandle<Integer> h = loop.spawn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(silent)) // @replace substring="Loopback.addressOf(silent)" replacement="peer"
                    .thenCompose(stream -> stream.read(buf)));
            h.thenAccept(n -> System.out.println(n + " bytes")); // compose
            h.cancel(true); // or give up: the task's sockets close
            // @end
            h.whenComplete((n, e) -> printed.add(String.valueOf(e)));
            assertTrue(printed.poll(10, TimeUnit.SECONDS).contains("CancellationException"));
            assertThrows(CancellationException.class, h::join);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void manualTickerFiresTimersWithoutWaiting(Backend backend) throws Exception {
        // @start region="manual-ticker"
        ManualTicker clock = new ManualTicker();
        try (EventLoop loop = EventLoop.open(backend, clock)) { // @replace substring="backend" replacement="Backend.NIO"
            CompletableFuture<Void> slept = loop.sleep(Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(10));
            loop.runOnce(Duration.ZERO);
            assertTrue(slept.isDone()); // @replace regex="assertTrue.*" replacement="// slept is now complete, without waiting 10 s"
        }
        // @end
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void reactorResumesTasksOnAnExecutor(Backend backend) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (Loopback.Pair pair = Loopback.pair(backend)) {
            TcpStream stream = pair.server();
            // @start region="reactor"
            Reactor reactor = Reactor.open(backend); // @replace substring="backend" replacement="Backend.select()"
            reactor.start("reactor");
            reactor.execute(() -> reactor.register(stream, Interest.READABLE, ReadyHandler.resumeOn(pool, flags -> {
                ByteBuffer buf = ByteBuffer.allocate(1024); // on a pool thread: read what is there (edge-triggered)
                try {
                    while (stream.read(buf) > 0) {
                        received.add(US_ASCII.decode(buf.flip()).toString());
                        buf.clear();
                    }
                } catch (IOException e) {
                    received.add("failed: " + e);
                }
            })));
            // @end
            try {
                Loopback.writeAll(pair.client(), "hello".getBytes(US_ASCII));
                assertEquals("hello", received.poll(10, TimeUnit.SECONDS));
            } finally {
                reactor.close();
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertFalse(received.contains("failed"));
    }
}
