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
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.pollen.testing.PollAssert.READ_CLOSED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UnixStream} against every backend, after mio's {@code tests/unix_stream.rs}: connect,
 * would-block, echo, vectored and direct I/O, shutdown of each half, peer close, pair,
 * deregister/reregister, peer credentials, and the errors (missing path, long path).
 */
@Timeout(60)
class UnixStreamTest {
    @TempDir
    static Path dir;
    static final long CLIENT = 1;
    static final long SERVER = 2;
    static final Duration QUIET = Duration.ofMillis(150);

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    /** A listener, a client connected to it and the accepted server end. */
    record Conn(UnixListener listener, UnixStream client, UnixStream server) implements AutoCloseable {
        static Conn open(Backend backend) throws IOException {
            UnixListener l = UnixListener.bind(UnixSocketAddress.of(SocketFiles.fresh(dir, "s")), backend);
            try {
                UnixStream c = UnixStream.connect(l.localAddress(), backend);
                UnixStream s = acceptWithin(l);
                return new Conn(l, c, s);
            } catch (IOException | RuntimeException | Error e) {
                l.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }

    static UnixStream acceptWithin(UnixListener l) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        UnixStream s;
        while ((s = l.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "no connection accepted");
            Loopback.sleep(1);
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectIsWritableAndReadWouldBlock(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Conn c = Conn.open(backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(c.client, Token.of(CLIENT), Interest.READABLE.add(Interest.WRITABLE));
            PollAssert.expect(poll, events, Want.writable(CLIENT));
            assertEquals(null, c.client.takeError());
            assertEquals(0, c.client.read(ByteBuffer.allocate(8)), "nothing sent yet: would block");
            assertEquals(c.listener.localAddress(), c.client.peerAddress());
            assertTrue(c.client.localAddress().isUnnamed(), "a client is unnamed: " + c.client.localAddress());
            assertEquals(c.listener.localAddress(), c.server.localAddress());
            assertEquals(backend, c.client.backend());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void echoWithEvents(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Conn c = Conn.open(backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(c.server, Token.of(SERVER), Interest.READABLE);
            poll.registry().register(c.client, Token.of(CLIENT), Interest.READABLE);
            Loopback.writeAll(c.client, "ping".getBytes());
            PollAssert.expect(poll, events, Want.readable(SERVER));
            ByteBuffer heap = ByteBuffer.allocate(16);
            assertEquals(4, c.server.read(heap));
            assertEquals(0, c.server.read(heap), "drained: would block");
            Loopback.writeAll(c.server, "pong".getBytes());
            PollAssert.expect(poll, events, Want.readable(CLIENT));
            ByteBuffer direct = ByteBuffer.allocateDirect(16);
            assertEquals(4, c.client.read(direct));
            assertEquals("pong", Loopback.ascii(direct.flip()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void vectoredAndPeek(Backend backend) throws IOException {
        try (Conn c = Conn.open(backend)) {
            ByteBuffer[] out = {Loopback.ascii("ab"), ByteBuffer.allocateDirect(3).put("cde".getBytes()).flip(), Loopback.ascii("f")};
            assertEquals(6, c.client.write(out));
            ByteBuffer peek = ByteBuffer.allocate(2);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (c.server.peek(peek) == 0) {
                assertTrue(System.nanoTime() < deadline);
                Loopback.sleep(1);
            }
            assertEquals("ab", Loopback.ascii(peek.flip()));
            ByteBuffer[] in = {ByteBuffer.allocate(1), ByteBuffer.allocateDirect(5)};
            long got = 0;
            while (got < 6) {
                long n = c.server.read(in);
                assertTrue(n >= 0);
                got += n;
            }
            assertEquals("a", Loopback.ascii(in[0].flip()));
            assertEquals("bcdef", Loopback.ascii(in[1].flip()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void shutdownWriteIsPeerEndOfStream(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Conn c = Conn.open(backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(c.server, Token.of(SERVER), Interest.READABLE);
            Loopback.writeAll(c.client, "last".getBytes());
            c.client.shutdown(Shutdown.WRITE);
            Want want = backend.nativeSockets() ? Want.readable(SERVER).and(READ_CLOSED) : Want.readable(SERVER);
            PollAssert.expect(poll, events, want);
            assertArrayEquals("last".getBytes(), Loopback.readExactly(c.server, 4));
            assertEquals(-1, c.server.read(ByteBuffer.allocate(4)));
            IOException e = assertThrows(IOException.class, () -> c.client.write(Loopback.ascii("x")));
            if (backend.nativeSockets()) {
                assertTrue(e.getMessage().contains("EPIPE"), e.getMessage());
            }
            // the other half still works
            Loopback.writeAll(c.server, "back".getBytes());
            assertArrayEquals("back".getBytes(), Loopback.readExactly(c.client, 4));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void shutdownReadAndBoth(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Conn c = Conn.open(backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(c.client, Token.of(CLIENT), Interest.READABLE);
            c.client.shutdown(Shutdown.READ);
            if (backend.nativeSockets()) {
                PollAssert.expect(poll, events, Want.readable(CLIENT).and(READ_CLOSED));
            }
            assertEquals(-1, c.client.read(ByteBuffer.allocate(4)), "a read-shut stream reads end of stream");
            c.server.shutdown(Shutdown.BOTH);
            assertEquals(-1, c.server.read(ByteBuffer.allocate(4)));
            assertThrows(IOException.class, () -> c.server.write(Loopback.ascii("x")));
            assertTrue(c.server.isOpen(), "shutdown does not close");
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void peerCloseIsReadClosed(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Conn c = Conn.open(backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(c.client, Token.of(CLIENT), Interest.READABLE);
            c.server.close();
            Want want = backend.nativeSockets() ? Want.readable(CLIENT).and(READ_CLOSED) : Want.readable(CLIENT);
            PollAssert.expect(poll, events, want);
            assertEquals(-1, c.client.read(ByteBuffer.allocate(4)));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void deregisterThenReregister(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); Conn c = Conn.open(backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(c.server, Token.of(SERVER), Interest.READABLE);
            poll.registry().deregister(c.server);
            Loopback.writeAll(c.client, "one".getBytes());
            PollAssert.expectNone(poll, events, QUIET, SERVER);
            poll.registry().register(c.server, Token.of(SERVER + 10), Interest.READABLE);
            PollAssert.expect(poll, events, Want.readable(SERVER + 10));
            assertArrayEquals("one".getBytes(), Loopback.readExactly(c.server, 3));
            poll.registry().reregister(c.server, Token.of(SERVER), Interest.READABLE);
            Loopback.writeAll(c.client, "two".getBytes());
            Map<Long, Integer> seen = PollAssert.expect(poll, events, Want.readable(SERVER));
            assertTrue(!seen.containsKey(SERVER + 10), "the old token never comes back: " + PollAssert.describe(seen));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void pair(Backend backend) throws IOException {
        if (!backend.nativeSockets()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> UnixStream.pair(backend));
            assertTrue(e.getMessage().contains("epoll"), e.getMessage());
            return;
        }
        UnixStream[] p = UnixStream.pair(backend);
        try (Poll poll = Poll.open(backend); UnixStream a = p[0]; UnixStream b = p[1]) {
            Events events = Events.withCapacity(8);
            poll.registry().register(b, Token.of(SERVER), Interest.READABLE);
            Loopback.writeAll(a, "hi".getBytes());
            PollAssert.expect(poll, events, Want.readable(SERVER));
            assertArrayEquals("hi".getBytes(), Loopback.readExactly(b, 2));
            assertTrue(a.localAddress().isUnnamed() && a.peerAddress().isUnnamed());
            assertEquals(ProcessHandle.current().pid(), a.peerCredentials().pid());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void peerCredentialsAreOurs(Backend backend) throws IOException {
        try (Conn c = Conn.open(backend)) {
            if (!backend.nativeSockets()) {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, c.client::peerCredentials);
                assertTrue(e.getMessage().contains("native backend"), e.getMessage());
                return;
            }
            Path mine = Files.createFile(dir.resolve("owner-probe-" + backend.id()));
            try {
                PeerCredentials cred = c.server.peerCredentials();
                assertEquals(ProcessHandle.current().pid(), cred.pid());
                assertEquals(((Number) Files.getAttribute(mine, "unix:uid")).longValue(), cred.uid());
                assertEquals(((Number) Files.getAttribute(mine, "unix:gid")).longValue(), cred.gid());
                assertEquals(cred, c.client.peerCredentials(), "both ends are this process");
            } finally {
                Files.delete(mine);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectToMissingPathNamesEnoent(Backend backend) {
        UnixSocketAddress missing = UnixSocketAddress.of(dir.resolve("missing.sock"));
        IOException e = assertThrows(IOException.class, () -> UnixStream.connect(missing, backend));
        if (backend.nativeSockets()) {
            assertEquals("ENOENT", ((NativeIOException) e).errnoName(), e.getMessage());
            assertTrue(e.getMessage().contains("connect"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void connectToAStaleSocketFileIsRefused(Backend backend) throws IOException {
        Path stale = SocketFiles.fresh(dir, "stale");
        // The JDK leaves the socket file behind when its channel closes: a stale socket, as a crash leaves.
        try (ServerSocketChannel jdk = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            jdk.bind(UnixDomainSocketAddress.of(stale));
        }
        try {
            IOException e = assertThrows(IOException.class, () -> UnixStream.connect(UnixSocketAddress.of(stale), backend));
            if (backend.nativeSockets()) {
                assertEquals("ECONNREFUSED", ((NativeIOException) e).errnoName(), e.getMessage());
            }
        } finally {
            Files.delete(stale);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void pathTooLongNamesTheLimit(Backend backend) {
        Path longPath = dir.resolve("x".repeat(200) + ".sock");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnixSocketAddress.of(longPath));
        assertTrue(e.getMessage().contains("at most " + UnixSocketAddress.maxPathBytes()), e.getMessage());
        assertTrue(e.getMessage().contains("sun_path"), e.getMessage());
    }
}
