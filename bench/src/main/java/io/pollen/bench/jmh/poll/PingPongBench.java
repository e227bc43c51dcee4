package io.pollen.bench.jmh.poll;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Issue #2 (b): a loopback TCP ping-pong of a 64-byte message, Pollen's poll layer and sockets
 * against {@code java.nio.channels.SocketChannel} + {@code Selector}.
 *
 * <p>One thread owns both ends of one connection and one poller, the way an event loop would if
 * client and server shared it. One operation is one round trip, lower is better:
 * client writes 64 bytes → poll until the server end is reported readable → the server end reads
 * the message and writes it back → poll until the client end is readable → the client reads it.
 * That is two polls, two writes and two (or more) reads through the layer under test, and no
 * thread hand-off, so the figure is the CPU cost of the layer plus the loopback stack, not the
 * scheduler's.
 *
 * <p>On epoll, reads stop once the 64-byte message is complete: in a ping-pong the peer sends
 * nothing more until it is answered, and Linux's edge-triggered epoll reports every arrival of new
 * data as a new edge, drained or not (Netty's epoll transport relies on the same). Pollen's nio
 * backend emulates edge triggering and re-arms only on "would block", so there the reader drains
 * until it would block, as Pollen's contract asks: one more read per message. The JDK selector is
 * level-triggered and needs no such care.
 *
 * <p>{@code impl}: {@code pollen-epoll} (epoll backend + fd {@code TcpStream}), {@code jdk-nio}
 * (SocketChannel + Selector, the classic selected-key-set loop), {@code pollen-nio} (Pollen's
 * portable backend + channel {@code TcpStream}, for reference).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
@State(Scope.Thread)
public class PingPongBench {
    static final int SIZE = 64;
    private static final long POLL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Param({"pollen-epoll", "jdk-nio", "pollen-nio"})
    public String impl;

    private RoundTrip rt;

    interface RoundTrip extends AutoCloseable {
        /** One ping-pong; returns a byte of the echoed message (to keep it alive). */
        byte roundTrip() throws IOException;

        @Override
        void close() throws IOException;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        rt = switch (impl) {
            case "pollen-epoll" -> new Pollen(Backend.EPOLL);
            case "pollen-nio" -> new Pollen(Backend.NIO);
            case "jdk-nio" -> new Jdk();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
        // A wrong echo would make every figure meaningless: check one round trip before timing.
        if (rt.roundTrip() != (byte) (SIZE - 1)) {
            throw new IllegalStateException("echo mismatch");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        rt.close();
    }

    @Benchmark
    public byte roundTrip() throws IOException {
        return rt.roundTrip();
    }

    static ByteBuffer message() {
        ByteBuffer b = ByteBuffer.allocateDirect(SIZE);
        for (int i = 0; i < SIZE; i++) {
            b.put(i, (byte) i);
        }
        return b;
    }

    /** Pollen: one Poll, both ends registered READABLE with their own token. */
    static final class Pollen implements RoundTrip {
        private static final long CLIENT = 1;
        private static final long SERVER = 2;

        private final Poll poll;
        private final Events events = Events.withCapacity(64);
        private final TcpStream[][] pair;
        private final TcpStream client;
        private final TcpStream server;
        private final ByteBuffer msg = message();
        private final ByteBuffer echo = ByteBuffer.allocateDirect(SIZE);
        private final ByteBuffer in = ByteBuffer.allocateDirect(SIZE);
        private final ByteBuffer spare = ByteBuffer.allocateDirect(SIZE);
        /** Whether the backend needs a read that would block before it reports the next edge. */
        private final boolean drainToWouldBlock;

        Pollen(Backend backend) throws IOException {
            drainToWouldBlock = backend != Backend.EPOLL;
            poll = Poll.open(backend);
            pair = Loopback.pollen(backend, 1);
            client = pair[0][0];
            server = pair[0][1];
            poll.registry().register(client, Token.of(CLIENT), Interest.READABLE);
            poll.registry().register(server, Token.of(SERVER), Interest.READABLE);
            poll.pollNanos(events, 0);   // whatever was pending at registration is not a message
        }

        @Override
        public byte roundTrip() throws IOException {
            msg.clear();
            writeFully(client, msg);
            readMessage(server, SERVER, echo);
            echo.flip();
            writeFully(server, echo);
            readMessage(client, CLIENT, in);
            return in.get(SIZE - 1);
        }

        /** Polls first, as a loop does, then reads; more polls only if the message is partial. */
        private void readMessage(TcpStream s, long token, ByteBuffer buf) throws IOException {
            buf.clear();
            while (buf.hasRemaining()) {
                awaitReadable(token);
                int n;
                while ((n = s.read(buf)) > 0 && buf.hasRemaining()) {
                    // keep reading while the kernel has bytes and the message is not complete
                }
                if (n < 0) {
                    throw new EOFException("peer closed mid-message");
                }
            }
            if (drainToWouldBlock) {
                spare.clear();
                if (s.read(spare) != 0) {
                    throw new IOException("unexpected bytes after a complete message");
                }
            }
        }

        private void awaitReadable(long token) throws IOException {
            while (true) {
                int n = poll.pollNanos(events, POLL_TIMEOUT_NANOS);
                if (n == 0) {
                    throw new SocketTimeoutException("no readiness for token " + token + " within 5 s");
                }
                for (int i = 0; i < n; i++) {
                    if (events.token(i) == token && events.isReadable(i)) {
                        return;
                    }
                }
            }
        }

        private static void writeFully(TcpStream s, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (s.write(b) == 0) {
                    throw new IOException("a 64-byte write would block on an idle loopback connection");
                }
            }
        }

        @Override
        public void close() throws IOException {
            poll.close();
            Loopback.closeAll(pair);
        }
    }

    /** JDK: one Selector, both channels registered OP_READ, the classic selected-key loop. */
    static final class Jdk implements RoundTrip {
        private final Selector selector;
        private final SocketChannel[][] pair;
        private final SocketChannel client;
        private final SocketChannel server;
        private final SelectionKey clientKey;
        private final SelectionKey serverKey;
        private final ByteBuffer msg = message();
        private final ByteBuffer echo = ByteBuffer.allocateDirect(SIZE);
        private final ByteBuffer in = ByteBuffer.allocateDirect(SIZE);

        Jdk() throws IOException {
            selector = Selector.open();
            pair = Loopback.jdk(1);
            client = pair[0][0];
            server = pair[0][1];
            clientKey = client.register(selector, SelectionKey.OP_READ);
            serverKey = server.register(selector, SelectionKey.OP_READ);
        }

        @Override
        public byte roundTrip() throws IOException {
            msg.clear();
            writeFully(client, msg);
            readMessage(server, serverKey, echo);
            echo.flip();
            writeFully(server, echo);
            readMessage(client, clientKey, in);
            return in.get(SIZE - 1);
        }

        private void readMessage(SocketChannel c, SelectionKey key, ByteBuffer buf) throws IOException {
            buf.clear();
            while (buf.hasRemaining()) {
                awaitReadable(key);
                if (c.read(buf) < 0) {
                    throw new EOFException("peer closed mid-message");
                }
            }
        }

        private void awaitReadable(SelectionKey key) throws IOException {
            while (true) {
                if (selector.select(5_000) == 0) {
                    throw new SocketTimeoutException("no readiness within 5 s");
                }
                boolean found = false;
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k == key && k.isReadable()) {
                        found = true;
                    }
                }
                if (found) {
                    return;
                }
            }
        }

        private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (c.write(b) == 0) {
                    throw new IOException("a 64-byte write would block on an idle loopback connection");
                }
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            Loopback.closeAll(pair);
        }
    }
}
