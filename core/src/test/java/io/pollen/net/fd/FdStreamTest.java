package io.pollen.net.fd;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Event;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fd-flavor TCP through the socket SPI: connect, accept, echo, vectored I/O, peek, shutdown, errors, close. */
@Timeout(30)
class FdStreamTest {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    final FdSocketFactory factory = FdSocketFactory.INSTANCE;
    Poll poll;
    Events events;
    ListenerImpl listener;
    StreamImpl client;
    StreamImpl server;

    @BeforeEach
    void open() throws IOException {
        poll = Poll.open(Backend.EPOLL);
        events = Events.withCapacity(8);
    }

    @AfterEach
    void close() throws IOException {
        for (var s : new io.pollen.net.spi.SocketImpl[] {client, server, listener}) {
            if (s != null) {
                s.close();
            }
        }
        poll.close();
    }

    /** Waits (edge-triggered, so registered fresh) until {@code s} reports {@code interest}. */
    static void await(Poll poll, Events events, io.pollen.net.spi.SocketImpl s, Interest interest) throws IOException {
        poll.registry().register(s.source(), Token.of(1), interest);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                poll.poll(events, Duration.ofMillis(100));
                for (Event e : events) {
                    if (e.token() == 1) {
                        return;
                    }
                }
            }
            throw new AssertionError("no " + interest + " event for " + s);
        } finally {
            poll.registry().deregister(s.source());
        }
    }

    void connectPair(InetSocketAddress bindTo) throws IOException {
        listener = factory.listen(bindTo, 16, false);
        client = factory.connect(listener.localAddress());
        await(poll, events, client, Interest.WRITABLE);
        assertNull(client.takeError());
        await(poll, events, listener, Interest.READABLE);
        server = listener.accept();
        assertNotNull(server);
        assertNull(listener.accept(), "no second connection pending");
    }

    static byte[] readFully(Poll poll, Events events, StreamImpl s, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            int r = s.read(buf);
            if (r < 0) {
                throw new AssertionError("EOF after " + buf.position());
            }
            if (r == 0) {
                await(poll, events, s, Interest.READABLE);
            }
        }
        return buf.array();
    }

    @Test
    void connectAcceptEchoWithHeapAndDirectBuffers() throws IOException {
        connectPair(LOOPBACK);
        assertEquals(client.localAddress(), server.peerAddress());
        assertEquals(server.localAddress(), client.peerAddress());
        assertEquals(((InetSocketAddress) listener.localAddress()).getPort(), ((InetSocketAddress) client.peerAddress()).getPort());

        ByteBuffer hello = ByteBuffer.allocateDirect(5).put("hello".getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals(5, client.write(hello));
        assertEquals(0, hello.remaining());
        byte[] got = readFully(poll, events, server, 5);
        assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
        assertEquals(5, server.write(ByteBuffer.wrap(got)));
        ByteBuffer back = ByteBuffer.allocateDirect(16);
        while (back.position() < 5) {
            if (client.read(back) == 0) {
                await(poll, events, client, Interest.READABLE);
            }
        }
        back.flip();
        assertEquals("hello", StandardCharsets.US_ASCII.decode(back).toString());
        assertEquals(0, client.read(ByteBuffer.allocate(4)), "nothing more: would block");
    }

    @Test
    void acceptedSocketIsNonBlockingAndCloseOnExec() throws IOException {
        connectPair(LOOPBACK);
        for (var s : new io.pollen.net.spi.SocketImpl[] {client, server, listener}) {
            int fd = ((FdSocket) s).fd;
            assertTrue((Unistd.fcntl(fd, SocketAbi.CURRENT.F_GETFL, 0) & SocketAbi.CURRENT.O_NONBLOCK) != 0, s + " non-blocking");
            assertTrue((Unistd.fcntl(fd, SocketAbi.CURRENT.F_GETFD, 0) & SocketAbi.CURRENT.FD_CLOEXEC) != 0, s + " close-on-exec");
        }
    }

    @Test
    void refusedConnectIsReportedByTakeError() throws IOException {
        ListenerImpl l = factory.listen(LOOPBACK, 1, false);
        InetSocketAddress closedPort = (InetSocketAddress) l.localAddress();
        l.close();
        client = factory.connect(closedPort);
        await(poll, events, client, Interest.WRITABLE);
        IOException e = client.takeError();
        assertNotNull(e);
        assertTrue(e.getMessage().startsWith("connect failed: ECONNREFUSED (111)"), e.getMessage());
        assertEquals("ECONNREFUSED", ((NativeIOException) e).errnoName());
        assertNull(client.takeError(), "SO_ERROR is cleared by reading it");
    }

    @Test
    void vectoredWriteAndReadMixHeapDirectAndEmptyBuffers() throws IOException {
        connectPair(LOOPBACK);
        byte[] data = new byte[3000];
        new Random(1).nextBytes(data);
        ByteBuffer[] srcs = {
                ByteBuffer.wrap(data, 0, 1000),
                ByteBuffer.allocate(0),
                ByteBuffer.allocateDirect(1000).put(data, 1000, 1000).flip(),
                ByteBuffer.wrap(data, 2000, 1000).asReadOnlyBuffer()};
        long written = 0;
        while (written < 3000) {
            written += client.write(srcs, 0, srcs.length);
        }
        for (ByteBuffer b : srcs) {
            assertFalse(b.hasRemaining());
        }
        ByteBuffer[] dsts = {ByteBuffer.allocateDirect(700), ByteBuffer.allocate(1300), ByteBuffer.allocateDirect(1000)};
        long read = 0;
        while (read < 3000) {
            long r = server.read(dsts, 0, dsts.length);
            assertTrue(r >= 0);
            if (r == 0) {
                await(poll, events, server, Interest.READABLE);
            }
            read += r;
        }
        byte[] got = new byte[3000];
        int at = 0;
        for (ByteBuffer b : dsts) {
            b.flip();
            int n = b.remaining();
            b.get(got, at, n);
            at += n;
        }
        assertArrayEquals(data, got);
        assertEquals(0, server.read(new ByteBuffer[] {ByteBuffer.allocate(0)}, 0, 1), "nothing to read into");
    }

    @Test
    void heapTransfersLargerThanTheStagingAreaAreShortNotLost() throws IOException {
        connectPair(LOOPBACK);
        byte[] data = new byte[Scratch.STAGING_MAX * 4 + 17];
        new Random(2).nextBytes(data);
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        while (dst.hasRemaining()) {
            int w = src.hasRemaining() ? client.write(src) : 0;
            int r = server.read(dst);
            assertTrue(w <= Scratch.STAGING_MAX && r <= Scratch.STAGING_MAX, "capped at the staging size");
            if (w == 0 && r == 0) {
                await(poll, events, server, Interest.READABLE);
            }
        }
        assertArrayEquals(data, dst.array());
    }

    @Test
    void peekDoesNotConsume() throws IOException {
        connectPair(LOOPBACK);
        client.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
        await(poll, events, server, Interest.READABLE);
        ByteBuffer p = ByteBuffer.allocate(2);
        assertEquals(2, server.peek(p));
        assertEquals("ab", new String(p.array(), StandardCharsets.US_ASCII));
        assertEquals("abc", new String(readFully(poll, events, server, 3), StandardCharsets.US_ASCII));
    }

    @Test
    void shutdownWriteGivesEndOfStreamButKeepsTheOtherDirection() throws IOException {
        connectPair(LOOPBACK);
        client.shutdown(false, true);
        ByteBuffer buf = ByteBuffer.allocate(8);
        int r;
        while ((r = server.read(buf)) == 0) {
            await(poll, events, server, Interest.READABLE);
        }
        assertEquals(-1, r, "end of stream after the peer's shutdown(SHUT_WR)");
        server.write(ByteBuffer.wrap(new byte[] {7}));
        assertArrayEquals(new byte[] {7}, readFully(poll, events, client, 1));
        NativeIOException e = assertThrows(NativeIOException.class, () -> client.write(ByteBuffer.wrap(new byte[1])));
        assertTrue(e.getMessage().startsWith("send failed: EPIPE (32)"), e.getMessage());
    }

    @Test
    void writeToAClosedPeerFailsWithEpipeOrReset() throws IOException {
        connectPair(LOOPBACK);
        server.close();
        IOException e = assertThrows(IOException.class, () -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            for (int i = 0; i < 10_000; i++) {
                chunk.clear();
                if (client.write(chunk) == 0) {
                    await(poll, events, client, Interest.WRITABLE);
                }
            }
        });
        assertTrue(e.getMessage().matches("send failed: (EPIPE|ECONNRESET) .*"), e.getMessage());
    }

    @Test
    void operationsAfterCloseThrowClosedChannelException() throws IOException {
        connectPair(LOOPBACK);
        client.close();
        client.close();   // idempotent
        assertFalse(client.isOpen());
        assertThrows(ClosedChannelException.class, () -> client.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> client.read(ByteBuffer.allocate(0)));
        assertThrows(ClosedChannelException.class, () -> client.write(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> client.localAddress());
        assertThrows(ClosedChannelException.class, () -> client.takeError());
        listener.close();
        assertThrows(ClosedChannelException.class, () -> listener.accept());
        // The peer sees the close as end of stream.
        ByteBuffer buf = ByteBuffer.allocate(1);
        int r;
        while ((r = server.read(buf)) == 0) {
            await(poll, events, server, Interest.READABLE);
        }
        assertEquals(-1, r);
    }

    @Test
    void readIntoReadOnlyBufferIsRejected() throws IOException {
        connectPair(LOOPBACK);
        assertThrows(IllegalArgumentException.class, () -> server.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
    }

    @Test
    void ipv6LoopbackAndDualStack() throws IOException {
        InetSocketAddress v6 = new InetSocketAddress("::1", 0);
        connectPair(v6);
        assertEquals(InetAddress.getByName("::1"), ((InetSocketAddress) server.peerAddress()).getAddress());
        client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, readFully(poll, events, server, 3));
        client.close();
        server.close();
        listener.close();

        // "::" is dual-stack: an IPv4 client is accepted and shows as a plain IPv4 address.
        listener = factory.listen(new InetSocketAddress("::", 0), 16, false);
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        client = factory.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        await(poll, events, client, Interest.WRITABLE);
        assertNull(client.takeError());
        await(poll, events, listener, Interest.READABLE);
        server = listener.accept();
        assertEquals(InetAddress.getByName("127.0.0.1"), ((InetSocketAddress) server.peerAddress()).getAddress());
    }

    @Test
    void bindingABusyPortNamesEaddrinuse() throws IOException {
        listener = factory.listen(LOOPBACK, 4, false);
        NativeIOException e = assertThrows(NativeIOException.class, () -> factory.listen(listener.localAddress(), 4, false));
        assertTrue(e.getMessage().startsWith("bind failed: EADDRINUSE (98)"), e.getMessage());
        // With SO_REUSEPORT on both, two listeners share the port.
        ListenerImpl a = factory.listen(LOOPBACK, 4, true);
        try (ListenerImpl b = factory.listen(a.localAddress(), 4, true)) {
            assertEquals(a.localAddress(), b.localAddress());
        } finally {
            a.close();
        }
    }
}
