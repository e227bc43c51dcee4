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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UnixListener} against every backend, after mio's {@code tests/unix_listener.rs}: accept
 * edges, would-block, deregister/reregister, the socket file's life (created, removed on close,
 * left alone when replaced, EADDRINUSE when taken), abstract names.
 */
@Timeout(60)
class UnixListenerTest {
    @TempDir
    static Path dir;
    static final long SERVER = 1;
    static final Duration QUIET = Duration.ofMillis(150);

    @AfterAll
    static void after() {
        SocketFiles.assertNone(dir);
    }

    static UnixSocketAddress fresh() {
        return UnixSocketAddress.of(SocketFiles.fresh(dir, "l"));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void acceptEdgesTwoConnectionsTwoEdges(Backend backend) throws IOException {
        List<UnixStream> opened = new ArrayList<>();
        try (Poll poll = Poll.open(backend); UnixListener l = UnixListener.bind(fresh(), backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(l, Token.of(SERVER), Interest.READABLE);
            assertNull(l.accept(), "nothing pending: would block");
            for (int round = 0; round < 2; round++) {
                opened.add(UnixStream.connect(l.localAddress(), backend));
                PollAssert.expect(poll, events, Want.readable(SERVER));
                UnixStream s = l.accept();
                assertTrue(s != null, "the edge said a connection is pending");
                opened.add(s);
                assertNull(l.accept(), "drained");
            }
            // Two at once: one edge or two, but both are accepted before "would block".
            opened.add(UnixStream.connect(l.localAddress(), backend));
            opened.add(UnixStream.connect(l.localAddress(), backend));
            PollAssert.expect(poll, events, Want.readable(SERVER));
            int accepted = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (accepted < 2 && System.nanoTime() < deadline) {
                UnixStream s = l.accept();
                if (s != null) {
                    opened.add(s);
                    accepted++;
                }
            }
            assertEquals(2, accepted);
            poll.registry().deregister(l);
        } finally {
            for (UnixStream s : opened) {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void deregisterThenReregister(Backend backend) throws IOException {
        try (Poll poll = Poll.open(backend); UnixListener l = UnixListener.bind(fresh(), backend)) {
            Events events = Events.withCapacity(8);
            poll.registry().register(l, Token.of(SERVER), Interest.READABLE);
            poll.registry().deregister(l);
            try (UnixStream c = UnixStream.connect(l.localAddress(), backend)) {
                PollAssert.expectNone(poll, events, QUIET, SERVER);
                poll.registry().register(l, Token.of(SERVER), Interest.READABLE);
                PollAssert.expect(poll, events, Want.readable(SERVER));
                try (UnixStream s = l.accept()) {
                    Loopback.writeAll(c, "x".getBytes());
                    assertArrayEquals("x".getBytes(), Loopback.readExactly(s, 1));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeRemovesTheSocketFile(Backend backend) throws IOException {
        UnixSocketAddress a = fresh();
        UnixListener l = UnixListener.bind(a, backend);
        assertTrue(Files.exists(a.path()), "bind creates the file");
        assertEquals(a, l.localAddress());
        l.close();
        assertFalse(Files.exists(a.path()), "close removes it");
        l.close(); // idempotent
        assertFalse(l.isOpen());
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeLeavesAReplacedFileAlone(Backend backend) throws IOException {
        UnixSocketAddress a = fresh();
        UnixListener first = UnixListener.bind(a, backend);
        Files.delete(a.path());                          // someone removed it ...
        try (UnixListener second = UnixListener.bind(a, backend)) { // ... and a new server bound the path
            first.close();
            assertTrue(Files.exists(a.path()), "the first listener's close must not remove the second's file");
            try (UnixStream c = UnixStream.connect(a, backend); UnixStream s = acceptWithin(second)) {
                assertTrue(s.isOpen() && c.isOpen());
            }
        }
        assertFalse(Files.exists(a.path()));
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void bindToAnExistingPathIsAddressInUse(Backend backend) throws IOException {
        UnixSocketAddress a = fresh();
        try (UnixListener l = UnixListener.bind(a, backend)) {
            IOException e = assertThrows(IOException.class, () -> UnixListener.bind(a, backend));
            if (backend.nativeSockets()) {
                assertEquals("EADDRINUSE", ((NativeIOException) e).errnoName(), e.getMessage());
                assertTrue(e.getMessage().contains("bind"), e.getMessage());
            }
            assertTrue(Files.exists(a.path()), "a failed bind removes nothing");
            assertTrue(l.isOpen());
        }
        Path plain = Files.createFile(SocketFiles.fresh(dir, "regular"));
        try {
            assertThrows(IOException.class, () -> UnixListener.bind(UnixSocketAddress.of(plain), backend));
            assertTrue(Files.exists(plain), "a file that was there stays");
        } finally {
            Files.delete(plain);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void abstractNames(Backend backend) throws IOException {
        UnixSocketAddress name = UnixSocketAddress.abstractName("pollen-test-" + ProcessHandle.current().pid() + "-" + backend.id());
        assertEquals(name, UnixSocketAddress.of("\0pollen-test-" + ProcessHandle.current().pid() + "-" + backend.id()));
        if (!backend.nativeSockets() || !System.getProperty("os.name").toLowerCase().contains("linux")) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> UnixListener.bind(name, backend));
            assertTrue(e.getMessage().contains("abstract"), e.getMessage());
            return;
        }
        try (UnixListener l = UnixListener.bind(name, backend);
             UnixStream c = UnixStream.connect(name, backend);
             UnixStream s = acceptWithin(l)) {
            assertEquals(name, c.peerAddress());
            assertTrue(c.peerAddress().isAbstract());
            assertEquals("@" + name.abstractName(), name.toString());
            Loopback.writeAll(s, "abs".getBytes());
            assertArrayEquals("abs".getBytes(), Loopback.readExactly(c, 3));
            // taken while bound
            NativeIOException e = assertThrows(NativeIOException.class, () -> UnixListener.bind(name, backend));
            assertEquals("EADDRINUSE", e.errnoName());
        }
        try (UnixListener again = UnixListener.bind(name, backend)) { // freed with its last socket
            assertTrue(again.isOpen());
        }
    }

    static UnixStream acceptWithin(UnixListener l) throws IOException {
        return UnixStreamTest.acceptWithin(l);
    }
}
