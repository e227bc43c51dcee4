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

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Issue #2 (c): dispatch at width. 1,000 loopback TCP connections are registered READABLE; before
 * each operation (untimed) one byte is written to the peer of every connection, so all 1,000 are
 * freshly readable. One operation is then, lower is better:
 * <ul>
 *   <li>{@link #pollDispatch}: poll, and hand each event to its connection's handler (looked up by
 *       token / attachment), until all 1,000 handlers have been called. The handler only counts.
 *       After the operation (untimed) every connection is drained again. This isolates the event
 *       queue: one {@code epoll_wait} returning 1,000 events, and the per-event bookkeeping.</li>
 *   <li>{@link #pollDispatchRead}: the same, but each handler also reads its byte, as a real
 *       protocol handler would: 1,000 {@code read} calls are added to both sides.</li>
 * </ul>
 * Refreshing readiness with new bytes (not with {@code epoll_ctl}) gives both selectors the same
 * kernel work: an edge for epoll's edge-triggered registration, a level for the JDK's.
 *
 * <p>A short read (fewer bytes than the buffer holds) means the socket is drained; that rule, also
 * Netty's for edge-triggered epoll, saves a second read that would only say "would block".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
@State(Scope.Thread)
public class DispatchBench {
    static final int CONNECTIONS = 1_000;
    private static final long POLL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Param({"pollen-epoll", "jdk-nio", "pollen-nio"})
    public String impl;

    private Width w;

    /** One implementation: 1,000 registered connections and a poller. */
    interface Width extends AutoCloseable {
        /** Writes one byte to the peer of every connection. */
        void refill() throws IOException;

        /** Reads whatever every connection has pending. */
        void drain() throws IOException;

        /** Polls and dispatches until every handler has seen one event; returns the handler calls. */
        int dispatch(boolean read) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A connection's handler: counts its events, optionally reads its byte. */
    abstract static class Handler {
        final ByteBuffer buf = ByteBuffer.allocateDirect(64);
        int seen;

        abstract int read(ByteBuffer b) throws IOException;

        final void ready(boolean readable, boolean read) throws IOException {
            if (readable) {
                seen++;
                if (read) {
                    buf.clear();
                    if (read(buf) != 1) {
                        throw new IllegalStateException("expected the one pending byte");
                    }
                }
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        w = switch (impl) {
            case "pollen-epoll" -> new Pollen(Backend.EPOLL);
            case "pollen-nio" -> new Pollen(Backend.NIO);
            case "jdk-nio" -> new Jdk();
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }

    @Setup(Level.Invocation)
    public void refill() throws IOException {
        w.refill();
    }

    @TearDown(Level.Invocation)
    public void drain() throws IOException {
        w.drain();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        w.close();
    }

    @Benchmark
    public int pollDispatch() throws IOException {
        return w.dispatch(false);
    }

    @Benchmark
    public int pollDispatchRead() throws IOException {
        return w.dispatch(true);
    }

    static final class Pollen implements Width {
        private final Poll poll;
        private final Events events = Events.withCapacity(1024);
        private final TcpStream[][] pairs;
        private final PollenHandler[] handlers = new PollenHandler[CONNECTIONS];
        private final ByteBuffer one = ByteBuffer.allocateDirect(1);
        private final ByteBuffer sink = ByteBuffer.allocateDirect(4096);

        Pollen(Backend backend) throws IOException {
            poll = Poll.open(backend);
            pairs = Loopback.pollen(backend, CONNECTIONS);
            for (int i = 0; i < CONNECTIONS; i++) {
                handlers[i] = new PollenHandler(pairs[i][1]);
                poll.registry().register(pairs[i][1], Token.of(i), Interest.READABLE);
            }
            poll.pollNanos(events, 0);
        }

        @Override
        public void refill() throws IOException {
            for (TcpStream[] p : pairs) {
                one.clear();
                if (p[0].write(one) != 1) {
                    throw new IOException("a one-byte write would block");
                }
            }
        }

        @Override
        public void drain() throws IOException {
            for (TcpStream[] p : pairs) {
                do {
                    sink.clear();
                } while (p[1].read(sink) > 0);
            }
            for (PollenHandler h : handlers) {
                h.seen = 0;
            }
        }

        @Override
        public int dispatch(boolean read) throws IOException {
            int calls = 0;
            while (calls < CONNECTIONS) {
                int n = poll.pollNanos(events, POLL_TIMEOUT_NANOS);
                if (n == 0) {
                    throw new SocketTimeoutException(calls + " of " + CONNECTIONS + " events within 5 s");
                }
                for (int i = 0; i < n; i++) {
                    handlers[(int) events.token(i)].ready(events.isReadable(i), read);
                }
                calls += n;
            }
            return calls;
        }

        @Override
        public void close() throws IOException {
            poll.close();
            Loopback.closeAll(pairs);
        }
    }

    static final class PollenHandler extends Handler {
        private final TcpStream s;

        PollenHandler(TcpStream s) {
            this.s = s;
        }

        @Override
        int read(ByteBuffer b) throws IOException {
            return s.read(b);
        }
    }

    static final class Jdk implements Width {
        private final Selector selector;
        private final SocketChannel[][] pairs;
        private final JdkHandler[] handlers = new JdkHandler[CONNECTIONS];
        private final ByteBuffer one = ByteBuffer.allocateDirect(1);
        private final ByteBuffer sink = ByteBuffer.allocateDirect(4096);

        Jdk() throws IOException {
            selector = Selector.open();
            pairs = Loopback.jdk(CONNECTIONS);
            for (int i = 0; i < CONNECTIONS; i++) {
                handlers[i] = new JdkHandler(pairs[i][1]);
                pairs[i][1].register(selector, SelectionKey.OP_READ, handlers[i]);
            }
        }

        @Override
        public void refill() throws IOException {
            for (SocketChannel[] p : pairs) {
                one.clear();
                if (p[0].write(one) != 1) {
                    throw new IOException("a one-byte write would block");
                }
            }
        }

        @Override
        public void drain() throws IOException {
            for (SocketChannel[] p : pairs) {
                do {
                    sink.clear();
                } while (p[1].read(sink) > 0);
            }
            for (JdkHandler h : handlers) {
                h.seen = 0;
            }
        }

        @Override
        public int dispatch(boolean read) throws IOException {
            int calls = 0;
            Set<SelectionKey> selected = selector.selectedKeys();
            while (calls < CONNECTIONS) {
                if (selector.select(5_000) == 0) {
                    throw new SocketTimeoutException(calls + " of " + CONNECTIONS + " events within 5 s");
                }
                Iterator<SelectionKey> it = selected.iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    ((JdkHandler) k.attachment()).ready(k.isReadable(), read);
                    calls++;
                }
            }
            return calls;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            Loopback.closeAll(pairs);
        }
    }

    static final class JdkHandler extends Handler {
        private final SocketChannel c;

        JdkHandler(SocketChannel c) {
            this.c = c;
        }

        @Override
        int read(ByteBuffer b) throws IOException {
            return c.read(b);
        }
    }
}
