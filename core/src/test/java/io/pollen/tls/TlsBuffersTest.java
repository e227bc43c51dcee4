package io.pollen.tls;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;
import io.pollen.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TLS connections hold record buffers only while bytes are in flight, on every backend: counted
 * with a {@link TlsBuffers} that tracks what is out. An idle {@link TlsStream} and an idle
 * {@link TlsChannel} hold none; a pending read holds one (lent to the TCP read); a partial record
 * keeps its buffer until its rest arrives; plaintext that did not fit the reader's buffer keeps
 * one until it is read; closing gives everything back, each buffer exactly once.
 */
@Timeout(60)
class TlsBuffersTest {
    @TempDir
    static Path dir;
    static SSLContext serverCtx;
    static SSLContext clientCtx;

    @BeforeAll
    static void before() throws Exception {
        TestCerts certs = TestCerts.create(dir);
        serverCtx = TlsContexts.server(certs.serverEc.cert(), certs.serverEc.key());
        clientCtx = TlsContexts.client(certs.ca);
    }

    /** Counts buffers out; fails on a buffer given back twice or one it never handed out. */
    static final class Counting implements TlsBuffers {
        final Set<ByteBuffer> out = Collections.newSetFromMap(new IdentityHashMap<>());
        int taken;
        String misuse;

        @Override
        public ByteBuffer take(int minBytes) {
            ByteBuffer b = ByteBuffer.allocateDirect(minBytes);
            out.add(b);
            taken++;
            return b;
        }

        @Override
        public void give(ByteBuffer buffer) {
            if (!out.remove(buffer)) {
                misuse = "a buffer given back twice, or not ours";
            }
        }
    }

    static <T> T onLoop(EventLoop loop, Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aTlsStreamHoldsBuffersOnlyWhileBytesAreInFlight(Backend backend) throws Exception {
        Counting pool = new Counting();
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = TlsStreamTest.jdkServer(serverCtx, null, s -> {
                 DataInputStream in = new DataInputStream(s.getInputStream());
                 OutputStream out = s.getOutputStream();
                 byte[] ping = new byte[4];
                 in.readFully(ping);
                 out.write(ping);
                 in.readFully(ping); // the second ping: answered after the client's read is pending
                 out.write("pong".getBytes(StandardCharsets.US_ASCII));
                 assertEquals(-1, in.read());
             })) {
            EventLoop loop = rt.next();
            TlsStream tls = handshake(loop, ss.getLocalPort(), pool).get(10, TimeUnit.SECONDS);
            assertTrue(pool.taken > 0, "the handshake took its buffers from the pool");
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "idle after the handshake: nothing held");

            tls.writeAll(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))).get(10, TimeUnit.SECONDS);
            assertEquals("ping", new String(TlsStreamTest.readN(tls, 4), StandardCharsets.US_ASCII));
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "idle after a round trip");

            ByteBuffer dst = ByteBuffer.allocate(4);
            CompletableFuture<Integer> pending = tls.read(dst);
            assertEquals(1, onLoop(loop, () -> pool.out.size()), "a pending read lends one buffer to TCP");
            tls.writeAll(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))).get(10, TimeUnit.SECONDS);
            while (dst.hasRemaining() && pending.get(10, TimeUnit.SECONDS) > 0) {
                pending = tls.read(dst);
            }
            assertEquals("pong", new String(dst.array(), StandardCharsets.US_ASCII));
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "idle again");

            tls.shutdownOutput().get(10, TimeUnit.SECONDS);
            tls.close();
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "closed");
            assertNull(pool.misuse);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aTlsChannelKeepsABufferForAPartialRecordAndForUnreadPlaintextOnly(Backend backend) throws Exception {
        Counting pool = new Counting();
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             TcpStream tcp = TcpStream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), backend);
             Socket peerSocket = ss.accept()) {
            EventLoop loop = rt.next();
            TlsChannel tls = new TlsChannel(tcp, TlsContexts.serverEngine(serverCtx), loop, () -> { }, pool);
            Peer peer = new Peer(TlsContexts.clientEngine(clientCtx, "localhost", ss.getLocalPort()), peerSocket);
            CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
                try {
                    peer.handshake();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            ByteBuffer dst = ByteBuffer.allocate(20_000);
            drive(loop, tls, dst, n -> handshakeDoneOn(loop, tls));
            handshake.get(10, TimeUnit.SECONDS);
            assertEquals(0, drive(loop, tls, dst, n -> true));
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "idle after the handshake");

            byte[] record = peer.record("hello".getBytes(StandardCharsets.US_ASCII));
            peer.out.write(record, 0, 10);
            peer.out.flush();
            drive(loop, tls, dst, n -> pool.out.size() == 1);
            assertEquals(0, dst.position(), "nothing to deliver from half a record");
            assertEquals(1, onLoop(loop, () -> pool.out.size()), "the partial record keeps its buffer");
            peer.out.write(record, 10, record.length - 10);
            peer.out.flush();
            assertEquals(5, drive(loop, tls, dst, n -> n != 0));
            assertEquals("hello", new String(dst.array(), 0, 5, StandardCharsets.US_ASCII));
            assertEquals(0, drive(loop, tls, dst, n -> true));
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "the record was read: nothing held");

            byte[] big = new byte[12_000];
            Arrays.fill(big, (byte) 'x');
            peer.out.write(peer.record(big));
            peer.out.flush();
            ByteBuffer small = ByteBuffer.allocate(1000);
            assertEquals(1000, drive(loop, tls, small, n -> n != 0));
            assertEquals(1, onLoop(loop, () -> pool.out.size()), "plaintext that did not fit waits in one buffer");
            int total = 1000;
            while (total < big.length) {
                small.clear();
                total += drive(loop, tls, small, n -> n != 0);
            }
            assertEquals(big.length, total);
            assertEquals(0, drive(loop, tls, small.clear(), n -> true));
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "all read: nothing held");

            peer.out.write(record, 0, 10); // half a record again, then the connection closes
            peer.out.flush();
            drive(loop, tls, dst, n -> pool.out.size() == 1);
            onLoop(loop, () -> {
                tls.close();
                return null;
            });
            assertEquals(0, pool.out.size(), "close gives everything back");
            assertNull(pool.misuse);
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aHandshakeCutShortGivesEveryBufferBack(Backend backend) throws Exception {
        Counting pool = new Counting();
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(new byte[512]); // part of the ClientHello
                    s.getOutputStream().write(new byte[]{0x16, 0x03, 0x03, 0x00}); // a record header cut short
                    s.getOutputStream().flush();
                } catch (IOException ignored) {
                    // the client's assertions tell
                }
            });
            EventLoop loop = rt.next();
            CompletableFuture<TlsStream> hs = handshake(loop, ss.getLocalPort(), pool);
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> hs.get(10, TimeUnit.SECONDS));
            assertTrue(String.valueOf(e.getCause().getMessage()).contains("closed the connection during the TLS handshake"),
                    String.valueOf(e.getCause()));
            assertTrue(pool.taken > 0);
            assertEquals(0, onLoop(loop, () -> pool.out.size()), "the failed stream gave every buffer back");
            assertNull(pool.misuse);
        }
    }

    /** A TlsStream client to {@code port} of the loopback address, its buffers from {@code pool}. */
    private static CompletableFuture<TlsStream> handshake(EventLoop loop, int port, TlsBuffers pool) {
        return io.pollen.runtime.AsyncTcpStream.connect(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .thenCompose(tcp -> TlsStream.handshake(tcp, TlsContexts.clientEngine(clientCtx, "localhost", port),
                        java.time.Duration.ofSeconds(10), pool));
    }

    private static boolean handshakeDoneOn(EventLoop loop, TlsChannel tls) {
        try {
            return onLoop(loop, tls::isHandshakeComplete);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Reads on the loop, again and again (the peer is another thread), until {@code done} says so
     * for the last result; returns it. Bounded by the test's timeout.
     */
    private static int drive(EventLoop loop, TlsChannel tls, ByteBuffer dst, IntPredicate done) throws Exception {
        while (true) {
            int n = onLoop(loop, () -> {
                tls.flush();
                return tls.read(dst);
            });
            if (done.test(n)) {
                return n;
            }
            Thread.sleep(2);
        }
    }

    /** A TLS client driven by hand over a blocking socket: it can send half a record. */
    static final class Peer {
        final SSLEngine engine;
        final InputStream in;
        final OutputStream out;
        private final ByteBuffer net;

        Peer(SSLEngine engine, Socket s) throws IOException {
            this.engine = engine;
            this.in = s.getInputStream();
            this.out = s.getOutputStream();
            this.net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize()).flip();
        }

        void handshake() throws IOException {
            engine.beginHandshake();
            ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> out.write(record(new byte[0]));
                    case NEED_UNWRAP -> {
                        SSLEngineResult r = engine.unwrap(net, app.clear());
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                            net.compact();
                            int n = in.read(net.array(), net.position(), net.remaining());
                            if (n < 0) {
                                throw new IOException("the server closed during the handshake");
                            }
                            net.position(net.position() + n).flip();
                        }
                    }
                    case NEED_TASK -> engine.getDelegatedTask().run();
                    default -> {
                        return;
                    }
                }
            }
        }

        /** The records of {@code plaintext} (or the handshake's next flight when it is empty). */
        byte[] record(byte[] plaintext) throws IOException {
            ByteBuffer dst = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
            ByteBuffer src = ByteBuffer.wrap(plaintext);
            do {
                engine.wrap(src, dst);
            } while (src.hasRemaining());
            return Arrays.copyOf(dst.array(), dst.position());
        }
    }
}
