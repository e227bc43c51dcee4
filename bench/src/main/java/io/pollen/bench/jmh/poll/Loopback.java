package io.pollen.bench.jmh.poll;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Connected loopback TCP pairs for the poll benchmarks: {@code pair[0]} is the connecting side,
 * {@code pair[1]} the accepted side, both non-blocking with TCP_NODELAY.
 *
 * <p>Accepts may come back in any order, so the accepted socket is matched to its client by the
 * client's local port, never by position.
 */
final class Loopback {
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    private Loopback() {
    }

    static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** {@code n} connected pairs of Pollen {@link TcpStream}s of the given backend's flavor. */
    static TcpStream[][] pollen(Backend backend, int n) throws IOException {
        TcpStream[][] pairs = new TcpStream[n][2];
        List<TcpStream> accepted = new ArrayList<>(n);
        try (TcpListener listener = TcpListener.bind(anyPort(), backend, Math.max(n, 128), false)) {
            InetSocketAddress to = listener.localAddress();
            for (int i = 0; i < n; i++) {
                pairs[i][0] = TcpStream.connect(to, backend);
            }
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            while (accepted.size() < n) {
                TcpStream s = listener.accept();
                if (s != null) {
                    accepted.add(s);
                } else if (System.nanoTime() > deadline) {
                    closeAll(pairs);
                    accepted.forEach(Loopback::closeQuietly);
                    throw new IOException("accepted only " + accepted.size() + " of " + n + " loopback connections");
                } else {
                    Thread.onSpinWait();
                }
            }
        }
        // A non-blocking connect may finish lazily (the nio flavor finishes it on the next call such
        // as takeError), and only then is the client's local port known: match on it.
        Map<Integer, Integer> byPort = new HashMap<>();
        for (int i = 0; i < n; i++) {
            TcpStream c = pairs[i][0];
            IOException e = c.takeError();
            if (e != null) {
                throw e;
            }
            InetSocketAddress local = c.localAddress();
            if (local == null) {
                throw new IOException("a loopback connect had not completed after its accept");
            }
            byPort.put(local.getPort(), i);
        }
        for (TcpStream s : accepted) {
            Integer i = byPort.get(s.peerAddress().getPort());
            if (i == null) {
                throw new IOException("accepted a connection from an unknown client " + s.peerAddress());
            }
            pairs[i][1] = s;
        }
        for (TcpStream[] p : pairs) {
            p[0].setNoDelay(true);
            p[1].setNoDelay(true);
        }
        return pairs;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** {@code n} connected pairs of JDK {@link SocketChannel}s, non-blocking. */
    static SocketChannel[][] jdk(int n) throws IOException {
        SocketChannel[][] pairs = new SocketChannel[n][2];
        Map<Integer, Integer> byPort = new HashMap<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(anyPort(), Math.max(n, 128));
            InetSocketAddress to = (InetSocketAddress) listener.getLocalAddress();
            for (int i = 0; i < n; i++) {
                pairs[i][0] = SocketChannel.open(to);    // blocking connect: simplest, and untimed
                byPort.put(((InetSocketAddress) pairs[i][0].getLocalAddress()).getPort(), i);
            }
            for (int accepted = 0; accepted < n; accepted++) {
                SocketChannel s = listener.accept();
                Integer i = byPort.get(((InetSocketAddress) s.getRemoteAddress()).getPort());
                if (i == null) {
                    s.close();
                    throw new IOException("accepted a connection from an unknown client");
                }
                pairs[i][1] = s;
            }
        }
        for (SocketChannel[] p : pairs) {
            for (SocketChannel c : p) {
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        }
        return pairs;
    }

    static void closeAll(Closeable[][] pairs) {
        if (pairs == null) {
            return;
        }
        for (Closeable[] p : pairs) {
            for (Closeable c : p) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // Tear-down of a benchmark: nothing useful to do with it.
                    }
                }
            }
        }
    }
}
