package io.pollen.runtime;

import io.pollen.net.UnixSocketAddress;
import io.pollen.poll.Backend;
import io.pollen.sys.NativeIOException;
import io.pollen.testing.SocketFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AsyncUnixStream} and {@link AsyncUnixListener} on every backend: an echo in the
 * virtual-thread style, backpressure against a reader that stalls, a peer that hangs up mid-read,
 * a missing socket file, and the socket file removed on close.
 */
@Timeout(60)
class AsyncUnixStreamTest {
    @TempDir
    static Path dir;

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    static UnixSocketAddress fresh() {
        return UnixSocketAddress.of(SocketFiles.fresh(dir, "a"));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void echoInTheVirtualThreadStyle(Backend backend) throws Exception {
        byte[] payload = new byte[1 << 20];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).threadNamePrefix("unix-echo").build()) {
            EventLoop loop = rt.next();
            UnixSocketAddress address = fresh();
            AsyncUnixListener server = AsyncUnixListener.bind(loop, address);
            try {
                JoinHandle<Long> echo = rt.spawnVirtual(() -> {
                    try (AsyncUnixStream s = server.accept().join()) {
                        s.setWriteBufferWaterMarks(8 * 1024, 32 * 1024);
                        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                        long total = 0;
                        int n;
                        while ((n = s.read(buf.clear()).join()) >= 0) {
                            total += n;
                            s.writeAll(buf.flip()).join();   // parks while the client is slow to read
                        }
                        s.shutdownOutput().join();
                        return total;
                    }
                });
                byte[] back = rt.blockOnVirtual(() -> {
                    try (AsyncUnixStream c = AsyncUnixStream.connect(loop, address).join()) {
                        assertEquals(address, c.socket().peerAddress());
                        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                            c.writeAll(ByteBuffer.wrap(payload)).join();
                            c.shutdownOutput().join();
                        }, r -> Thread.ofVirtual().start(r));
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        ByteBuffer buf = ByteBuffer.allocate(8192);
                        int n;
                        while ((n = c.read(buf.clear()).join()) >= 0) {
                            out.write(buf.array(), 0, n);
                        }
                        sent.join();
                        return out.toByteArray();
                    }
                });
                assertArrayEquals(payload, back);
                assertEquals(payload.length, echo.get());
            } finally {
                server.close();
            }
            awaitGone(address.path());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aStalledReaderMakesWriteAllWaitInsteadOfBuffering(Backend backend) throws Exception {
        UnixSocketAddress address = fresh();
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncUnixListener server = AsyncUnixListener.bind(loop, address);
            try (SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                peer.connect(UnixDomainSocketAddress.of(address.path()));
                AsyncUnixStream s = loop.blockOn(server::accept);
                try {
                    s.setWriteBufferWaterMarks(16 * 1024, 64 * 1024);
                    byte[] chunk = new byte[32 * 1024];
                    CompletableFuture<Void> w = CompletableFuture.completedFuture(null);
                    long accepted = 0;
                    for (int i = 0; i < 10_000 && w.isDone(); i++) {
                        w = s.writeAll(ByteBuffer.wrap(chunk));
                        for (int k = 0; k < 3 && !w.isDone(); k++) {
                            loop.runOnce(Duration.ofMillis(1));
                        }
                        if (w.isDone()) {
                            w.get();
                            accepted += chunk.length;
                        }
                        assertTrue(s.pendingWriteBytes() <= 64 * 1024 + chunk.length, "buffered " + s.pendingWriteBytes());
                    }
                    assertFalse(w.isDone(), "writeAll waits for the stalled reader");
                    // The reader drains: the pending write completes and every byte arrives.
                    long expected = accepted + chunk.length;
                    CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
                        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                        long got = 0;
                        try {
                            while (got < expected) {
                                int n = peer.read(in.clear());
                                if (n < 0) {
                                    break;
                                }
                                got += n;
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                        return got;
                    }, r -> Thread.ofPlatform().start(r));
                    while (!w.isDone() || s.pendingWriteBytes() > 0) {
                        loop.runOnce(Duration.ofMillis(5));
                    }
                    w.get();
                    assertEquals(expected, drained.get());
                } finally {
                    s.close();
                }
            } finally {
                server.close();
                loop.runOnce(Duration.ZERO);
            }
        }
        awaitGone(address.path());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aPeerThatHangsUpMidReadFailsReadExactly(Backend backend) throws Exception {
        UnixSocketAddress address = fresh();
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncUnixListener server = AsyncUnixListener.bind(loop, address);
            try {
                CompletableFuture<AsyncUnixStream> accepted = server.accept();
                AsyncUnixStream c = loop.blockOn(() -> AsyncUnixStream.connect(loop, address));
                AsyncUnixStream s = loop.blockOn(() -> accepted);
                try {
                    loop.blockOn(() -> s.writeAll(ByteBuffer.wrap(new byte[10])).thenCompose(v -> {
                        s.close();   // hangs up after 10 of the 100 bytes the client waits for
                        return CompletableFuture.completedFuture(null);
                    }));
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> loop.blockOn(() -> c.readExactly(ByteBuffer.allocate(100))));
                    assertInstanceOf(EOFException.class, e.getCause());
                    assertTrue(e.getCause().getMessage().contains("10 bytes"), e.getCause().getMessage());
                } finally {
                    c.close();
                    s.close();
                }
            } finally {
                server.close();
                loop.runOnce(Duration.ZERO);
            }
        }
        awaitGone(address.path());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectToAMissingFileFailsNamed(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            UnixSocketAddress missing = UnixSocketAddress.of(dir.resolve("nobody.sock"));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> loop.blockOn(() -> AsyncUnixStream.connect(loop, missing)));
            assertInstanceOf(IOException.class, e.getCause());
            if (backend.nativeSockets()) {
                assertEquals("ENOENT", ((NativeIOException) e.getCause()).errnoName());
            }
            // and binding over a taken path is refused, the first listener untouched
            AsyncUnixListener first = AsyncUnixListener.bind(loop, fresh());
            try {
                assertThrows(IOException.class, () -> AsyncUnixListener.bind(loop, first.localAddress()));
                assertTrue(Files.exists(first.localAddress().path()));
            } finally {
                first.close();
                loop.runOnce(Duration.ZERO);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aCancelledAcceptLeaksNothingAndCloseFailsWaiters(Backend backend) throws Exception {
        UnixSocketAddress address = fresh();
        try (EventLoop loop = EventLoop.open(backend)) {
            AsyncUnixListener server = AsyncUnixListener.bind(loop, address);
            CompletableFuture<AsyncUnixStream> gaveUp = server.accept();
            gaveUp.cancel(false);
            AsyncUnixStream c = loop.blockOn(() -> AsyncUnixStream.connect(loop, address));
            AsyncUnixStream s = loop.blockOn(server::accept);
            assertTrue(s.isOpen());
            CompletableFuture<AsyncUnixStream> waiting = server.accept();
            server.close();
            loop.runOnce(Duration.ZERO);
            ExecutionException e = assertThrows(ExecutionException.class, waiting::get);
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, e.getCause());
            c.close();
            s.close();
            loop.runOnce(Duration.ZERO);
        }
        awaitGone(address.path());
    }

    /** Close runs on the loop; by the time the loop has closed, the file must be gone. */
    static void awaitGone(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(p) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(Files.exists(p), p + " left behind");
    }
}
