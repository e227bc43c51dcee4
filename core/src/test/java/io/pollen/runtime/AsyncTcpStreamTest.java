package io.pollen.runtime;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.testing.AsyncPermits;
import io.pollen.testing.Echo;
import io.pollen.testing.Fds;
import io.pollen.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ReadPendingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Async TCP streams: round trips at scale, partial reads, EOF, timeouts, backpressure, close. */
@Timeout(30)
class AsyncTcpStreamTest {
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void tenThousandConcurrentTasksEachDoARoundTripOnOneLoop(Backend backend) throws Exception {
        int tasks = 10_000;
        try (Runtime rt = Runtime.builder().backend(backend).threadNamePrefix("rt10k").build()) {
            EventLoop loop = rt.next();
            AsyncTcpListener server = AsyncTcpListener.bind(loop, Loopback.any(), 4096, false);
            loop.execute(() -> Echo.serve(server, i -> loop));
            // All tasks are spawned at once and suspended together on the loop; the number of open
            // connections is capped by the process's fd limit (two fds per round trip).
            AsyncPermits permits = new AsyncPermits(Fds.budget(tasks));
            List<JoinHandle<Boolean>> handles = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                byte[] payload = Echo.payload(i, 1 + i % 200);
                handles.add(loop.spawn(() -> permits.acquire().thenCompose(v ->
                        Echo.roundTrip(loop, server.localAddress(), payload)
                                .whenComplete((b, e) -> permits.release())
                                .thenApply(b -> Arrays.equals(b, payload)))));
            }
            int ok = 0;
            for (JoinHandle<Boolean> h : handles) {
                if (h.get(60, TimeUnit.SECONDS)) {
                    ok++;
                }
            }
            assertEquals(tasks, ok);
            assertEquals(0, loop.taskCount());
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void largePayloadsSurvivePartialReadsAndWrites(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncTcpListener server = AsyncTcpListener.bind(loop, Loopback.any());
            Echo.serve(server, i -> loop);
            byte[] payload = Echo.payload(3, 3 * 1024 * 1024 + 17);
            byte[] back = loop.blockOn(() -> Echo.roundTrip(loop, server.localAddress(), payload));
            assertArrayEquals(payload, back);
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void readExactlyFillsTheBufferOrFailsWithEof(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            AsyncTcpStream s = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                p.getOutputStream().write(new byte[]{1, 2, 3, 4, 5});
                ByteBuffer four = ByteBuffer.allocate(4);
                loop.blockOn(() -> s.readExactly(four));
                assertArrayEquals(new byte[]{1, 2, 3, 4}, four.array());
                p.shutdownOutput();
                ByteBuffer more = ByteBuffer.allocate(4);
                ExecutionException e = assertThrows(ExecutionException.class, () -> loop.blockOn(() -> s.readExactly(more)));
                assertInstanceOf(EOFException.class, e.getCause());
                assertEquals(1, more.position(), "the byte that did arrive is in the buffer");
                assertEquals(-1, loop.blockOn(() -> s.read(ByteBuffer.allocate(1))));
            }
            s.close();
            assertFalse(s.isOpen());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void readToEndReturnsEveryByteUntilThePeerEndsAndStopsAtItsLimit(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            byte[] payload = Echo.payload(7, 300_000);
            AsyncTcpStream s = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        p.getOutputStream().write(payload);
                        p.shutdownOutput();
                    } catch (IOException ignored) {
                        // the assertion below says what went wrong
                    }
                });
                assertArrayEquals(payload, loop.blockOn(() -> s.readToEnd(payload.length)));
                writer.join();
            }
            s.close();
            // One byte more than allowed: a clear failure, not an unbounded buffer.
            AsyncTcpStream t = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                p.getOutputStream().write(new byte[101]);
                p.shutdownOutput();
                ExecutionException e = assertThrows(ExecutionException.class, () -> loop.blockOn(() -> t.readToEnd(100)));
                assertInstanceOf(IOException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("100 bytes"), e.getCause().getMessage());
            }
            t.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void readFullyFillsTheBufferOrAnswersShortAtTheEnd(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            AsyncTcpStream s = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                p.getOutputStream().write(new byte[]{1, 2, 3});
                p.getOutputStream().flush();
                Thread later = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(30); // the rest comes later: readFully waits for it
                        p.getOutputStream().write(new byte[]{4, 5, 6, 7});
                        p.shutdownOutput();
                    } catch (Exception ignored) {
                        // the assertions below say what went wrong
                    }
                });
                ByteBuffer five = ByteBuffer.allocate(5);
                assertEquals(5, loop.blockOn(() -> s.readFully(five)));
                assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, five.array());
                ByteBuffer rest = ByteBuffer.allocate(8);
                assertEquals(2, loop.blockOn(() -> s.readFully(rest)), "short only because the stream ended");
                assertEquals(-1, loop.blockOn(() -> s.readFully(ByteBuffer.allocate(8))), "ended before any byte");
                later.join();
            }
            s.close();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> loop.blockOn(() -> s.readFully(ByteBuffer.allocate(1))));
            assertInstanceOf(java.nio.channels.ClosedChannelException.class, e.getCause(), "a closed stream fails");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void oneReadAtATimeAndCloseFailsThePendingRead(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            AsyncTcpStream s = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                CompletableFuture<Integer> first = s.read(ByteBuffer.allocate(8));
                CompletableFuture<Integer> second = s.read(ByteBuffer.allocate(8));
                assertInstanceOf(ReadPendingException.class, assertThrows(ExecutionException.class, second::get).getCause());
                loop.runOnce(Duration.ofMillis(1));
                assertFalse(first.isDone());
                s.close();
                assertInstanceOf(AsynchronousCloseException.class,
                        assertThrows(ExecutionException.class, first::get).getCause());
                assertEquals(-1, p.getInputStream().read(), "the peer sees the close");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void writeAndShutdownOutputReachThePeer(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            AsyncTcpStream s = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                int n = loop.blockOn(() -> s.write(ByteBuffer.wrap("hello".getBytes())));
                assertTrue(n > 0 && n <= 5);
                loop.blockOn(() -> s.writeAll(ByteBuffer.wrap("hello".getBytes(), n, 5 - n)).thenCompose(v -> s.shutdownOutput()));
                assertEquals("hello", new String(p.getInputStream().readAllBytes()));
                assertEquals(0, loop.blockOn(() -> s.read(ByteBuffer.allocate(0))), "an empty buffer reads 0");
            } finally {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aRefusedConnectFails(Backend backend) throws Exception {
        InetSocketAddress closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, Loopback.address())) {
            closedPort = Loopback.addressOf(s);
        }
        try (EventLoop loop = EventLoop.open(backend)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> loop.blockOn(() -> AsyncTcpStream.connect(loop, closedPort)));
            assertInstanceOf(IOException.class, e.getCause());
            // The socket's own error, not a generic "not connected".
            assertTrue(String.valueOf(e.getCause().getMessage()).contains("Connection refused"), e.getCause().toString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aConnectThatHangsTimesOutAndFreesItsSocket(Backend backend) throws Exception {
        // A listener that never accepts, with its accept queue full: Linux drops further SYNs, so
        // a connect stays pending until its timeout.
        try (EventLoop loop = EventLoop.open(backend);
             io.pollen.net.TcpListener full = io.pollen.net.TcpListener.bind(Loopback.any(), backend, 1, false)) {
            List<TcpStream> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    fillers.add(TcpStream.connect(full.localAddress(), backend));
                }
                Thread.sleep(50);
                int before = Fds.count();
                ExecutionException e = assertThrows(ExecutionException.class, () -> loop.blockOn(
                        () -> AsyncTcpStream.connect(loop, full.localAddress(), Duration.ofMillis(200))));
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("timed out"), e.getCause().getMessage());
                loop.runOnce(Duration.ZERO);
                assertTrue(Fds.count() <= before, "the timed-out socket is closed");
            } finally {
                for (TcpStream f : fillers) {
                    f.close();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aSlowReaderMakesWriteAllWaitInsteadOfBuffering(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); ServerSocket peer = new ServerSocket(0, 50, Loopback.address())) {
            AsyncTcpStream s = loop.blockOn(() -> AsyncTcpStream.connect(loop, Loopback.addressOf(peer)));
            try (Socket p = peer.accept()) {
                s.setWriteBufferWaterMarks(16 * 1024, 64 * 1024);
                byte[] chunk = new byte[32 * 1024];
                long accepted = 0;
                CompletableFuture<Void> w = CompletableFuture.completedFuture(null);
                // The writer awaits each writeAll. The peer reads nothing: once the kernel buffers
                // are full, a writeAll must stay pending.
                for (int i = 0; i < 10_000 && w.isDone(); i++) {
                    w = s.writeAll(ByteBuffer.wrap(chunk));
                    for (int k = 0; k < 3 && !w.isDone(); k++) {
                        loop.runOnce(Duration.ofMillis(1));
                    }
                    if (w.isDone()) {
                        w.get();
                        accepted += chunk.length;
                    }
                    assertTrue(s.pendingWriteBytes() <= 64 * 1024 + chunk.length,
                            "buffered " + s.pendingWriteBytes() + " bytes");
                }
                assertFalse(w.isDone(), "writeAll waits for the reader");
                long buffered = s.pendingWriteBytes();
                assertTrue(buffered > 0 && buffered <= 64 * 1024 + chunk.length, "buffered " + buffered);
                // Now the reader drains; the pending write completes and every byte arrives.
                CompletableFuture<Void> last = w;
                long expected = accepted + chunk.length;
                InputStream in = p.getInputStream();
                Thread reader = Thread.ofPlatform().start(() -> {
                    try {
                        in.readNBytes((int) expected);
                    } catch (IOException ignored) {
                    }
                });
                while (!last.isDone()) {
                    loop.runOnce(Duration.ofMillis(5));
                }
                last.get();
                // The loop keeps running until the reader has everything: on a completion driver
                // (io_uring) the bytes a write took are sent by the loop's next iterations.
                long until = System.nanoTime() + 10_000_000_000L;
                while (reader.isAlive() && System.nanoTime() - until < 0) {
                    loop.runOnce(Duration.ofMillis(5));
                }
                assertEquals(0, s.pendingWriteBytes());
                assertFalse(reader.isAlive(), "the reader got all " + expected + " bytes");
            } finally {
                s.close();
            }
        }
    }
}
