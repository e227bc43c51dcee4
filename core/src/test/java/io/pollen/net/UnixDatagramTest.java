package io.pollen.net;

import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.sys.NativeIOException;
import io.pollen.testing.Loopback;
import io.pollen.testing.PollAssert;
import io.pollen.testing.PollAssert.Want;
import io.pollen.testing.SocketFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UnixDatagram} against every backend, after mio's {@code tests/unix_datagram.rs}:
 * send_to/recv_from with events, connected sockets, pairs, peek, truncation, a full receiver, the
 * socket file's removal, and the errors. On nio every factory must refuse, naming the native backends.
 */
@Timeout(60)
class UnixDatagramTest {
    @TempDir
    static Path dir;
    static final long A = 1;
    static final long B = 2;
    static final Duration QUIET = Duration.ofMillis(150);

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    static UnixSocketAddress fresh() {
        return UnixSocketAddress.of(SocketFiles.fresh(dir, "d"));
    }

    /** On nio: every way to make one is refused with a message naming the native backends. */
    static boolean refusedOnNio(Backend backend) {
        if (backend.nativeSockets()) {
            return false;
        }
        for (var attempt : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                () -> UnixDatagram.bind(fresh(), backend), () -> UnixDatagram.unbound(backend),
                () -> UnixDatagram.pair(backend))) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, attempt);
            assertTrue(e.getMessage().contains("epoll") && e.getMessage().contains("java.nio"), e.getMessage());
        }
        return true;
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void sendToAndReceiveFromWithEvents(Backend backend) throws IOException {
        if (refusedOnNio(backend)) {
            return;
        }
        try (Poll poll = Poll.open(backend);
             UnixDatagram a = UnixDatagram.bind(fresh(), backend);
             UnixDatagram b = UnixDatagram.bind(fresh(), backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(a, Token.of(A), Interest.WRITABLE);
            poll.registry().register(b, Token.of(B), Interest.READABLE);
            PollAssert.expect(poll, events, Want.writable(A));
            assertNull(b.receiveFrom(ByteBuffer.allocate(8)), "nothing pending");
            assertEquals(5, a.sendTo(Loopback.ascii("hello"), b.localAddress()));
            assertEquals(3, a.sendTo(ByteBuffer.allocateDirect(3).put("abc".getBytes()).flip(), b.localAddress()));
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertEquals(a.localAddress(), b.peekFrom(buf));
            assertEquals("hello", Loopback.ascii(buf.flip()));
            assertEquals(a.localAddress(), b.receiveFrom(buf.clear()));
            assertEquals("hello", Loopback.ascii(buf.flip()));
            ByteBuffer direct = ByteBuffer.allocateDirect(2);
            assertEquals(a.localAddress(), b.receiveFrom(direct));
            assertEquals("ab", Loopback.ascii(direct.flip()), "truncated to the buffer; the rest is lost");
            assertNull(b.receiveFrom(buf.clear()), "in order, and nothing more");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectedAndUnbound(Backend backend) throws IOException {
        if (refusedOnNio(backend)) {
            return;
        }
        try (Poll poll = Poll.open(backend);
             UnixDatagram server = UnixDatagram.bind(fresh(), backend);
             UnixDatagram client = UnixDatagram.unbound(backend)) {
            Events events = Events.withCapacity(8);
            assertThrows(java.nio.channels.NotYetConnectedException.class, () -> client.send(Loopback.ascii("x")));
            assertNull(client.peerAddress());
            client.connect(server.localAddress());
            assertEquals(server.localAddress(), client.peerAddress());
            poll.registry().register(server, Token.of(B), Interest.READABLE);
            assertEquals(4, client.send(Loopback.ascii("ping")));
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertTrue(server.receiveFrom(buf).isUnnamed(), "an unbound sender has no address");
            assertEquals("ping", Loopback.ascii(buf.flip()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void pairAndAFullReceiver(Backend backend) throws IOException {
        if (refusedOnNio(backend)) {
            return;
        }
        UnixDatagram[] p = UnixDatagram.pair(backend);
        try (Poll poll = Poll.open(backend); UnixDatagram a = p[0]; UnixDatagram b = p[1]) {
            Events events = Events.withCapacity(8);
            poll.registry().register(a, Token.of(A), Interest.WRITABLE);
            poll.registry().register(b, Token.of(B), Interest.READABLE);
            assertEquals(2, a.send(Loopback.ascii("hi")));
            PollAssert.expect(poll, events, Want.readable(B));
            ByteBuffer buf = ByteBuffer.allocate(8);
            assertEquals(2, b.receive(buf));
            assertEquals(0, b.receive(buf.clear()), "would block");
            // Unix datagrams are not dropped: a full receiver makes the sender would-block.
            int sent = 0;
            while (a.send(ByteBuffer.allocate(512)) > 0) {
                sent++;
                assertTrue(sent < 1_000_000, "the receiver never filled up");
            }
            if (backend == Backend.IO_URING) {
                // io_uring reports the readiness a wake-up carried, not re-checked when reaped: a
                // wake-up from before the last would-block may still come. Spurious, as the contract
                // allows: the receiver is still full.
                PollAssert.pollInto(poll, events, QUIET, new java.util.HashMap<>());
                assertEquals(0, a.send(ByteBuffer.allocate(512)), "still full: any event was spurious");
            }
            PollAssert.expectNone(poll, events, QUIET, A);
            int got = 0;
            while (b.receive(buf.clear()) > 0) {
                got++;
            }
            assertEquals(sent, got, "every datagram sent arrives");
            PollAssert.expect(poll, events, Want.writable(A));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void socketFileRemovedOnCloseAndErrorsNamed(Backend backend) throws IOException {
        if (refusedOnNio(backend)) {
            return;
        }
        UnixSocketAddress a = fresh();
        UnixDatagram d = UnixDatagram.bind(a, backend);
        assertTrue(Files.exists(a.path()));
        NativeIOException taken = assertThrows(NativeIOException.class, () -> UnixDatagram.bind(a, backend));
        assertEquals("EADDRINUSE", taken.errnoName());
        d.close();
        assertFalse(Files.exists(a.path()));
        try (UnixDatagram u = UnixDatagram.unbound(backend)) {
            NativeIOException missing = assertThrows(NativeIOException.class, () -> u.sendTo(Loopback.ascii("x"), a));
            assertEquals("ENOENT", missing.errnoName(), missing.getMessage());
            NativeIOException refused = assertThrows(NativeIOException.class, () -> u.connect(a));
            assertEquals("ENOENT", refused.errnoName());
        }
    }
}
