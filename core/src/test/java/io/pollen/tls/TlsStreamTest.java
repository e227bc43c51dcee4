package io.pollen.tls;

import io.pollen.poll.Backend;
import io.pollen.runtime.AsyncTcpListener;
import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;
import io.pollen.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TlsStream against the JDK's own SSLSocket as the peer (client and server mode), on every backend:
 * TLS 1.3 and 1.2, large transfers, KeyUpdate, close_notify both ways, truncation, handshake
 * timeout, certificate failures, and mutual TLS (a client certificate accepted, none, an expired one).
 */
@Timeout(60)
class TlsStreamTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static SSLContext serverCtx;
    static SSLContext clientCtx;

    @BeforeAll
    static void before() throws Exception {
        certs = TestCerts.create(dir);
        serverCtx = TlsContexts.server(certs.serverEc.cert(), certs.serverEc.key());
        clientCtx = TlsContexts.client(certs.ca);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> backendsAndProtocols() {
        return io.pollen.testing.TestBackends.all().flatMap(b -> Stream.of("TLSv1.3", "TLSv1.2")
                .map(p -> org.junit.jupiter.params.provider.Arguments.of(b, p)));
    }

    /** A JDK TLS server on a platform thread: runs {@code body} on the first connection, then closes. */
    static ServerSocket jdkServer(SSLContext ctx, String protocol, ThrowingConsumer body) throws Exception {
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        if (protocol != null) {
            ss.setEnabledProtocols(new String[]{protocol});
        }
        Thread.ofPlatform().daemon().start(() -> {
            try (ss; SSLSocket s = (SSLSocket) ss.accept()) {
                body.accept(s);
            } catch (Exception ignored) {
                // the client's assertions tell what went wrong
            }
        });
        return ss;
    }

    interface ThrowingConsumer {
        void accept(SSLSocket s) throws Exception;
    }

    static CompletableFuture<TlsStream> connect(EventLoop loop, ServerSocket ss, SSLContext ctx, String host, String protocol) {
        return AsyncTcpStream.connect(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()))
                .thenCompose(tcp -> {
                    var engine = TlsContexts.clientEngine(ctx, host, ss.getLocalPort(), "http/1.1");
                    if (protocol != null) {
                        engine.setEnabledProtocols(new String[]{protocol});
                    }
                    return TlsStream.handshake(tcp, engine, Duration.ofSeconds(10));
                });
    }

    /** Reads until {@code n} bytes or the end; returns what was read. */
    static byte[] readN(TlsStream s, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (s.read(b).join() < 0) {
                break;
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @ParameterizedTest
    @MethodSource("backendsAndProtocols")
    void clientEchoesAMegabyteThenBothSidesSendCloseNotify(Backend backend, String protocol) throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = jdkServer(serverCtx, protocol, s -> {
                 DataInputStream in = new DataInputStream(s.getInputStream());
                 byte[] got = new byte[data.length];
                 in.readFully(got);
                 s.getOutputStream().write(got);
                 assertEquals(-1, in.read()); // the client's close_notify
                 s.close();                    // ours
             })) {
            TlsStream tls = connect(rt.next(), ss, clientCtx, "localhost", protocol).get(10, TimeUnit.SECONDS);
            assertEquals(protocol, tls.session().getProtocol());
            tls.writeAll(ByteBuffer.wrap(data)).get(10, TimeUnit.SECONDS);
            assertArrayEquals(data, readN(tls, data.length));
            tls.shutdownOutput().get(10, TimeUnit.SECONDS);
            assertEquals(-1, tls.read(ByteBuffer.allocate(16)).get(10, TimeUnit.SECONDS));
            assertFalse(tls.truncated(), "the server sent close_notify");
            tls.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void keyUpdateFromThePeerIsAnsweredAndDataFlowsOn(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = jdkServer(serverCtx, "TLSv1.3", s -> {
                 InputStream in = s.getInputStream();
                 OutputStream out = s.getOutputStream();
                 for (int round = 0; round < 3; round++) {
                     byte[] b = in.readNBytes(5);
                     s.startHandshake(); // on TLS 1.3: a KeyUpdate that asks for the client's
                     out.write(b);
                     out.flush();
                 }
                 s.close();
             })) {
            TlsStream tls = connect(rt.next(), ss, clientCtx, "127.0.0.1", null).get(10, TimeUnit.SECONDS);
            for (int round = 0; round < 3; round++) {
                String word = "ping" + round;
                tls.writeAll(ByteBuffer.wrap(word.getBytes())).get(10, TimeUnit.SECONDS);
                assertEquals(word, new String(readN(tls, 5)));
            }
            tls.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void serverModeAgainstAJdkClient(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build()) {
            EventLoop loop = rt.next();
            AsyncTcpListener listener = AsyncTcpListener.bind(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<String> served = listener.accept()
                    .thenCompose(tcp -> TlsStream.handshake(tcp, TlsContexts.serverEngine(serverCtx, "http/1.1"), Duration.ofSeconds(10)))
                    .thenCompose(tls -> {
                        ByteBuffer b = ByteBuffer.allocate(64);
                        return tls.read(b).thenCompose(n -> tls.writeAll(b.flip()))
                                .thenCompose(v -> tls.shutdownOutput())
                                .thenApply(v -> tls.applicationProtocol())
                                .whenComplete((v, e) -> tls.close());
                    });
            try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.localAddress().getPort())) {
                var p = s.getSSLParameters();
                p.setApplicationProtocols(new String[]{"http/1.1"});
                s.setSSLParameters(p);
                s.getOutputStream().write("hello".getBytes());
                assertEquals("hello", new String(s.getInputStream().readAllBytes())); // ends at close_notify
            }
            assertEquals("http/1.1", served.get(10, TimeUnit.SECONDS));
            listener.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aPeerThatClosesWithoutCloseNotifyEndsTheStreamAsTruncated(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket raw = plain.accept();
                     SSLSocket s = (SSLSocket) serverCtx.getSocketFactory().createSocket(raw, null, raw.getPort(), false)) {
                    s.setUseClientMode(false);
                    s.getOutputStream().write("bye".getBytes());
                    s.getOutputStream().flush();
                    raw.close(); // the TCP connection ends; no close_notify was sent
                } catch (Exception ignored) {
                    // the client's assertions tell
                }
            });
            TlsStream tls = connect(rt.next(), plain, clientCtx, "localhost", null).get(10, TimeUnit.SECONDS);
            assertEquals("bye", new String(readN(tls, 3)));
            assertEquals(-1, tls.read(ByteBuffer.allocate(8)).get(10, TimeUnit.SECONDS));
            assertTrue(tls.truncated());
            tls.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aSilentPeerFailsTheHandshakeWithATimeout(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            CompletableFuture<TlsStream> f = AsyncTcpStream.connect(rt.next(), new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()))
                    .thenCompose(tcp -> TlsStream.handshake(tcp, TlsContexts.clientEngine(clientCtx, "localhost", silent.getLocalPort()),
                            Duration.ofMillis(300)));
            try (Socket accepted = silent.accept()) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("TLS handshake with localhost"), e.getCause().getMessage());
                accepted.setSoTimeout(5000);
                // the ClientHello, then the end of stream: the client closed its socket
                assertTrue(accepted.getInputStream().readAllBytes().length > 0);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void closeFailsThePendingReadAndLaterOperations(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = jdkServer(serverCtx, null, s -> s.getInputStream().read())) {
            TlsStream tls = connect(rt.next(), ss, clientCtx, "localhost", null).get(10, TimeUnit.SECONDS);
            CompletableFuture<Integer> read = tls.read(ByteBuffer.allocate(16));
            tls.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, e.getCause());
            assertThrows(ExecutionException.class, () -> tls.writeAll(ByteBuffer.wrap(new byte[1])).get(10, TimeUnit.SECONDS));
            assertFalse(tls.isOpen());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void certificateFailuresSayWhatIsWrong(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).build()) {
            assertHandshakeFails(rt, certs.unknownCa, "localhost", "unknown CA: the certificate of localhost is issued by CN=Untrusted Test CA");
            assertHandshakeFails(rt, certs.wrongHost, "localhost", "certificate for wrong.host does not match localhost");
            assertHandshakeFails(rt, certs.expired, "localhost", "certificate expired: the certificate of localhost was valid until 2020-01-02");
        }
    }

    private static void assertHandshakeFails(Runtime rt, TestCerts.Pair pair, String host, String message) throws Exception {
        SSLContext ctx = TlsContexts.server(pair.cert(), pair.key());
        try (ServerSocket ss = jdkServer(ctx, null, s -> s.getInputStream().read())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> connect(rt.next(), ss, clientCtx, host, null).get(10, TimeUnit.SECONDS));
            assertInstanceOf(SSLHandshakeException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith(message), e.getCause().getMessage());
        }
        // trusting everything (curl -k) accepts the same certificate
        try (ServerSocket ss = jdkServer(ctx, null, s -> s.getOutputStream().write('k'))) {
            TlsStream tls = connect(rt.next(), ss, TlsContexts.insecureClient(), host, null).get(10, TimeUnit.SECONDS);
            assertEquals("k", new String(readN(tls, 1)));
            tls.close();
        }
    }

    @ParameterizedTest
    @MethodSource("backendsAndProtocols")
    void mutualTlsFailuresSayWhatIsWrong(Backend backend, String protocol) throws Exception {
        SSLContext requiring = TlsContexts.server(TlsIdentity.load(certs.serverEc.cert(), certs.serverEc.key(), null), certs.ca);
        TlsIdentity good = TlsIdentity.load(certs.client.cert(), certs.client.key(), null);
        TlsIdentity expired = TlsIdentity.load(certs.clientExpired.cert(), certs.clientExpired.key(), null);
        try (Runtime rt = Runtime.builder().backend(backend).build()) {
            // A JDK server that requires a certificate and answers with the client's name.
            ThrowingConsumer whoAreYou = s -> {
                s.setNeedClientAuth(true);
                s.getInputStream().read();
                s.getOutputStream().write(s.getSession().getPeerPrincipal().getName().getBytes());
                s.getOutputStream().flush();
            };
            try (ServerSocket ss = jdkServer(requiring, protocol, whoAreYou)) {
                TlsStream tls = connect(rt.next(), ss, TlsContexts.client(certs.ca, good), "localhost", protocol).get(10, TimeUnit.SECONDS);
                tls.writeAll(ByteBuffer.wrap(new byte[]{'?'})).get(10, TimeUnit.SECONDS);
                assertEquals("CN=pollen-client", new String(readN(tls, 16)));
                tls.close();
            }
            assertMutualFails(rt, requiring, protocol, whoAreYou, TlsContexts.client(certs.ca),
                    "the server requires a client certificate (none was sent: ");
            assertMutualFails(rt, requiring, protocol, whoAreYou, TlsContexts.client(certs.ca, expired),
                    "client certificate not trusted by the server (alert: ");
        }
    }

    /**
     * TLS 1.3: the client's handshake ends before the server checks its certificate, so the
     * server's refusal can meet a client that only writes. Its writes then fail on the broken
     * connection (EPIPE or ECONNRESET); the stream reports the alert the server sent first,
     * which says why, rather than "Broken pipe".
     */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aWriteRefusedByTheServerReportsItsAlertNotTheBrokenPipe(Backend backend) throws Exception {
        SSLContext requiring = TlsContexts.server(TlsIdentity.load(certs.serverEc.cert(), certs.serverEc.key(), null), certs.ca);
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = jdkServer(requiring, "TLSv1.3", s -> {
                 s.setNeedClientAuth(true);
                 try {
                     s.getInputStream().read(); // fails: no certificate; the alert goes out
                 } finally {
                     s.close();
                     closed.countDown();
                 }
             })) {
            TlsStream tls = connect(rt.next(), ss, TlsContexts.client(certs.ca), "localhost", "TLSv1.3").get(10, TimeUnit.SECONDS);
            assertTrue(closed.await(10, TimeUnit.SECONDS));
            ExecutionException e = writeUntilItFails(tls);
            assertInstanceOf(SSLHandshakeException.class, e.getCause(), String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().startsWith("the server requires a client certificate"), e.getCause().getMessage());
            assertFalse(tls.isOpen());
        }
    }

    /** A peer that closes without a word (close_notify only, no alert): a write fails with the socket's own error. */
    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aWriteToAPeerThatLeftFailsWithTheSocketsError(Backend backend) throws Exception {
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        try (Runtime rt = Runtime.builder().backend(backend).build();
             ServerSocket ss = jdkServer(serverCtx, "TLSv1.3", s -> {
                 s.startHandshake();
                 s.close();
                 closed.countDown();
             })) {
            TlsStream tls = connect(rt.next(), ss, clientCtx, "localhost", "TLSv1.3").get(10, TimeUnit.SECONDS);
            assertTrue(closed.await(10, TimeUnit.SECONDS));
            ExecutionException e = writeUntilItFails(tls);
            assertInstanceOf(java.io.IOException.class, e.getCause());
            assertFalse(e.getCause() instanceof javax.net.ssl.SSLException, String.valueOf(e.getCause()));
            assertFalse(tls.isOpen());
        }
    }

    /** Writes a byte at a time to a connection the peer closed until a write fails (the first ones may still be taken). */
    private static ExecutionException writeUntilItFails(TlsStream tls) throws Exception {
        for (int i = 0; i < 200; i++) {
            try {
                tls.writeAll(ByteBuffer.wrap(new byte[]{'?'})).get(10, TimeUnit.SECONDS);
                Thread.sleep(5);
            } catch (ExecutionException failed) {
                return failed;
            }
        }
        return fail("writes to a closed connection kept succeeding");
    }

    /** The handshake, or (TLS 1.3: the client's handshake ends first) the first read fails with {@code message}. */
    private static void assertMutualFails(Runtime rt, SSLContext server, String protocol, ThrowingConsumer body,
                                          SSLContext client, String message) throws Exception {
        try (ServerSocket ss = jdkServer(server, protocol, body)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> connect(rt.next(), ss, client, "localhost", protocol)
                    .thenCompose(tls -> tls.writeAll(ByteBuffer.wrap(new byte[]{'?'})).thenCompose(v -> tls.read(ByteBuffer.allocate(16))))
                    .get(10, TimeUnit.SECONDS));
            assertInstanceOf(SSLHandshakeException.class, e.getCause(), String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().startsWith(message), e.getCause().getMessage());
        }
    }
}
