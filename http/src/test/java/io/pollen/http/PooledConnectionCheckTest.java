package io.pollen.http;

import io.pollen.poll.Backend;
import io.pollen.runtime.EventLoop;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The client's look at a pooled connection before it reuses it ({@code ClientConnection.stillUsable}):
 * one the server closed is not reused, one with stray bytes in it is discarded. The server acts and
 * the request is made in the same loop task, so the client sees the FIN or the bytes before its loop
 * ran again: on io_uring their completions are not reaped yet (and closing the first stale
 * connection posts the second's), which once made the look say "nothing there" and reuse it.
 */
@Timeout(60)
class PooledConnectionCheckTest {
    static final String STRAY = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale";

    /** Answers every request on connection {@code i} with body {@code c<i>}; counts requests after {@link #stop}. */
    static final class Peer implements AutoCloseable {
        final ServerSocket ss = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        final List<Socket> conns = new CopyOnWriteArrayList<>();
        final AtomicInteger late = new AtomicInteger();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        volatile boolean stopped;

        Peer() throws IOException {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket s = ss.accept();
                        s.setSoTimeout(30_000);
                        int i = conns.size();
                        conns.add(s);
                        threads.add(Thread.ofVirtual().start(() -> serve(s, "c" + i)));
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }));
        }

        void serve(Socket s, String body) {
            try (s) {
                InputStream in = s.getInputStream();
                while (readHead(in)) {
                    if (stopped && conns.indexOf(s) < 2) {
                        late.incrementAndGet();   // a request on a connection the peer had given up
                        continue;
                    }
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                // reset or timed out: done
            }
        }

        /** Reads one request head; false at the end of the stream. */
        static boolean readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            }
            return true;
        }

        String url() {
            return "http://127.0.0.1:" + ss.getLocalPort() + "/";
        }

        @Override
        public void close() throws Exception {
            ss.close();
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    /** Two requests at once from the loop: two connections, both pooled after their answers. */
    static void twoPooled(EventLoop loop, HttpClient client, Peer peer) throws Exception {
        loop.blockOn(() -> CompletableFuture.allOf(client.get(peer.url()), client.get(peer.url())));
        assertEquals(2, peer.conns.size(), "two connections");
        assertEquals(2, client.idleConnections(), "both pooled");
    }

    /** What the peer does to a pooled connection. */
    interface PeerAction {
        void on(Socket conn) throws IOException;
    }

    /**
     * In one loop task: {@code action} on both pooled connections' server ends, then a request: the
     * client looks at its pooled connections before its loop ran again.
     */
    static HttpResponse actThenGet(EventLoop loop, HttpClient client, Peer peer, PeerAction action) throws Exception {
        return loop.blockOn(() -> {
            try {
                for (int i = 0; i < 2; i++) {
                    action.on(peer.conns.get(i));
                }
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            return client.get(peer.url());
        });
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aPooledConnectionWithStrayBytesIsDiscarded(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); Peer peer = new Peer()) {
            try (HttpClient client = HttpClient.builder(loop).maxIdlePerHost(4).build()) {
                twoPooled(loop, client, peer);
                HttpResponse r = actThenGet(loop, client, peer, conn ->   // a whole response nobody asked for
                        conn.getOutputStream().write(STRAY.getBytes(StandardCharsets.ISO_8859_1)));
                assertEquals("c2", r.bodyString(), "a fresh connection, not the stray bytes of a pooled one");
                assertEquals(3, peer.conns.size());
                assertEquals(1, client.idleConnections(), "the two with stray bytes were closed");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void aPooledConnectionTheServerClosedIsNotReused(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend); Peer peer = new Peer()) {
            try (HttpClient client = HttpClient.builder(loop).maxIdlePerHost(4).build()) {
                twoPooled(loop, client, peer);
                peer.stopped = true;
                HttpResponse r = actThenGet(loop, client, peer, Socket::shutdownOutput);   // FIN; the peer still reads
                assertEquals("c2", r.bodyString());
                assertEquals(1, client.idleConnections(), "the two the server closed were closed");
            }
            peer.close();   // the client closed everything: each connection's reader reached its end
            assertEquals(0, peer.late.get(), "no request was written on a connection the server had closed");
        }
    }
}
