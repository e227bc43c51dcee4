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

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * {@link AsyncUnixDatagram} on every backend: an exchange between two socket files, the
 * virtual-thread style over a pair, a peer gone ({@code ENOENT}, {@code ECONNREFUSED}) failing only
 * its own send, a receiver that does not read (sends wait, none is lost, order kept), close during
 * a receive and during waiting sends; no fd (the class's NoFdLeaks check) and no socket file left.
 * On nio every factory is refused.
 */
@Timeout(60)
class AsyncUnixDatagramTest {
    @TempDir
    static Path dir;

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    private static UnixSocketAddress fresh() {
        return UnixSocketAddress.of(SocketFiles.fresh(dir, "ad"));
    }

    private static <T> T await(EventLoop loop, CompletableFuture<T> f) throws Exception {
        while (!f.isDone()) {
            loop.runOnce(Duration.ofMillis(10));
        }
        return f.get();
    }

    private static ExecutionException failure(EventLoop loop, CompletableFuture<?> f) {
        while (!f.isDone()) {
            loop.runOnce(Duration.ofMillis(10));
        }
        return assertThrows(ExecutionException.class, f::get);
    }

    /** On nio: refused, naming the native backends; true if so (the test then has nothing else to do). */
    private static boolean refusedOnNio(Backend backend, EventLoop loop) {
        if (backend.nativeSockets()) {
            return false;
        }
        for (var attempt : List.<org.junit.jupiter.api.function.Executable>of(
                () -> AsyncUnixDatagram.bind(loop, fresh()), () -> AsyncUnixDatagram.unbound(loop),
                () -> AsyncUnixDatagram.pair(loop))) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, attempt);
            assertTrue(e.getMessage().contains("java.nio"), e.getMessage());
        }
        return true;
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void anExchangeBetweenTwoSocketFiles(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            if (refusedOnNio(backend, loop)) {
                return;
            }
            AsyncUnixDatagram server = AsyncUnixDatagram.bind(loop, fresh());
            AsyncUnixDatagram client = AsyncUnixDatagram.bind(loop, fresh());
            ByteBuffer in = ByteBuffer.allocate(64);
            CompletableFuture<UnixSocketAddress> received = server.receiveFrom(in);
            loop.runOnce(Duration.ZERO);
            assertFalse(received.isDone(), "nothing sent yet: the receive waits");
            assertEquals(4, await(loop, client.sendTo(ascii("ping"), server.localAddress())));
            assertEquals(client.localAddress(), await(loop, received), "the sender's path");
            assertEquals("ping", new String(in.array(), 0, in.position()));
            // Reply to the address the datagram came from.
            ByteBuffer back = ByteBuffer.allocate(64);
            CompletableFuture<UnixSocketAddress> reply = client.receiveFrom(back);
            await(loop, server.sendTo(ascii("pong"), received.get()));
            assertEquals(server.localAddress(), await(loop, reply));
            assertEquals("pong", new String(back.array(), 0, back.position()));
            Path serverFile = server.localAddress().path();
            assertTrue(Files.exists(serverFile));
            server.close();
            client.close();
            loop.runOnce(Duration.ZERO);
            assertFalse(Files.exists(serverFile), "close removes the socket file");
            assertInstanceOf(ClosedChannelException.class, failure(loop, server.receiveFrom(in.clear())).getCause());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aPairInTheVirtualThreadStyle(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).threadNamePrefix("unix-dgram").build()) {
            EventLoop loop = rt.next();
            if (refusedOnNio(backend, loop)) {
                return;
            }
            AsyncUnixDatagram[] pair = AsyncUnixDatagram.pair(loop);
            int n = 200;
            JoinHandle<Integer> echo = rt.spawnVirtual(() -> {
                ByteBuffer buf = ByteBuffer.allocate(64);
                for (int i = 0; i < n; i++) {
                    pair[1].receiveFrom(buf.clear()).join();
                    pair[1].send(buf.flip()).join();
                }
                return n;
            });
            JoinHandle<Integer> good = rt.spawnVirtual(() -> {
                int ok = 0;
                ByteBuffer buf = ByteBuffer.allocate(64);
                for (int i = 0; i < n; i++) {
                    String msg = "datagram " + i;
                    pair[0].send(ascii(msg)).join();
                    pair[0].receiveFrom(buf.clear()).join();
                    ok += msg.equals(new String(buf.array(), 0, buf.position())) ? 1 : 0;
                }
                return ok;
            });
            assertEquals(n, good.get(30, TimeUnit.SECONDS), "every datagram back, whole and in order");
            assertEquals(n, echo.get(30, TimeUnit.SECONDS));
            pair[0].close();
            pair[1].close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aPeerGoneFailsOnlyItsOwnSend(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            if (refusedOnNio(backend, loop)) {
                return;
            }
            AsyncUnixDatagram server = AsyncUnixDatagram.bind(loop, fresh());
            AsyncUnixDatagram gone = AsyncUnixDatagram.bind(loop, fresh());
            UnixSocketAddress goneAddress = gone.localAddress();
            gone.close();
            loop.runOnce(Duration.ZERO);
            AsyncUnixDatagram client = AsyncUnixDatagram.unbound(loop);
            // Queued back to back: the send to the vanished path fails, the one behind it goes on.
            CompletableFuture<Integer> toGone = client.sendTo(ascii("lost?"), goneAddress);
            CompletableFuture<Integer> toServer = client.sendTo(ascii("still here"), server.localAddress());
            NativeIOException e = assertInstanceOf(NativeIOException.class, failure(loop, toGone).getCause());
            assertEquals("ENOENT", e.errnoName(), "its socket file was removed on close: " + e.getMessage());
            assertEquals(10, await(loop, toServer));
            ByteBuffer in = ByteBuffer.allocate(64);
            assertTrue(await(loop, server.receiveFrom(in)).isUnnamed(), "an unbound sender has no address");
            assertEquals("still here", new String(in.array(), 0, in.position()));

            // A connected peer that closed: ECONNREFUSED.
            AsyncUnixDatagram[] pair = AsyncUnixDatagram.pair(loop);
            pair[1].close();
            loop.runOnce(Duration.ZERO);
            NativeIOException refused = assertInstanceOf(NativeIOException.class,
                    failure(loop, pair[0].send(ascii("anyone?"))).getCause());
            assertEquals("ECONNREFUSED", refused.errnoName(), refused.getMessage());
            pair[0].close();
            client.close();
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aFullReceiverMakesSendsWaitAndLosesNothing(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            if (refusedOnNio(backend, loop)) {
                return;
            }
            AsyncUnixDatagram receiver = AsyncUnixDatagram.bind(loop, fresh());
            AsyncUnixDatagram sender = AsyncUnixDatagram.bind(loop, fresh());
            sender.socket().setSendBufferSize(16 * 1024);
            int n = 2_000;   // 2 MB: far more than a receiver queue holds
            List<CompletableFuture<Integer>> sends = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocate(1024);
                b.putInt(0, i);
                sends.add(sender.sendTo(b, receiver.localAddress()));
            }
            for (int i = 0; i < 20; i++) {
                loop.runOnce(Duration.ofMillis(5));
            }
            long done = sends.stream().filter(CompletableFuture::isDone).count();
            assertTrue(done < n, "the receiver does not read: sends wait instead of dropping (" + done + " done)");
            assertTrue(sends.stream().noneMatch(CompletableFuture::isCompletedExceptionally), "waiting is not failing");
            ByteBuffer in = ByteBuffer.allocate(2048);
            for (int i = 0; i < n; i++) {
                await(loop, receiver.receiveFrom(in.clear()));
                assertEquals(1024, in.position(), "whole");
                assertEquals(i, in.getInt(0), "in order, none lost");
            }
            for (CompletableFuture<Integer> s : sends) {
                assertEquals(1024, await(loop, s));
            }
            sender.close();
            receiver.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeFailsAWaitingReceiveAndWaitingSends(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend)) {
            if (refusedOnNio(backend, loop)) {
                return;
            }
            AsyncUnixDatagram quiet = AsyncUnixDatagram.bind(loop, fresh());
            CompletableFuture<UnixSocketAddress> receive = quiet.receiveFrom(ByteBuffer.allocate(64));
            AsyncUnixDatagram[] pair = AsyncUnixDatagram.pair(loop);
            List<CompletableFuture<Integer>> sends = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {   // pair[0] never reads: these fill its queue, then wait
                sends.add(pair[1].send(ByteBuffer.allocate(1024)));
            }
            for (int i = 0; i < 10; i++) {
                loop.runOnce(Duration.ofMillis(5));
            }
            assertFalse(receive.isDone(), "nothing sent to the quiet socket");
            CompletableFuture<Integer> last = sends.get(sends.size() - 1);
            assertFalse(last.isDone(), "the last send waits for room");
            // Closed from another thread, mid-receive and mid-send.
            Thread closer = Thread.ofPlatform().start(() -> {
                quiet.close();
                pair[0].close();
                pair[1].close();
            });
            closer.join();
            assertInstanceOf(AsynchronousCloseException.class, failure(loop, receive).getCause());
            assertInstanceOf(AsynchronousCloseException.class, failure(loop, last).getCause());
            assertFalse(quiet.isOpen() || pair[0].isOpen() || pair[1].isOpen());
        }
    }
}
