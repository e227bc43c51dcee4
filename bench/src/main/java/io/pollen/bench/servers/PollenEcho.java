package io.pollen.bench.servers;

import io.pollen.net.StreamListener;
import io.pollen.net.StreamSocket;
import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.net.UnixListener;
import io.pollen.net.UnixSocketAddress;
import io.pollen.poll.Interest;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.ReadyHandler;
import io.pollen.runtime.Readiness;
import io.pollen.runtime.Registration;
import io.pollen.runtime.Runtime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP echo server on Pollen's low-level readiness API ({@link EventLoop#register} with a
 * {@link ReadyHandler}), the way protocol code that wants full speed uses the runtime: one
 * listener per loop (SO_REUSEPORT when there are several), every connection registered once for
 * reading and writing, edge-triggered: read until "would block" or a short read, write back at once.
 *
 * <p>Each loop has one direct buffer shared by its connections; a connection holds a heap copy
 * only of bytes the socket did not take, and stops reading until they are gone (back-pressure).
 *
 * <p>The same code serves a Unix domain socket ({@link #startUnix}): one listener (the kernel does
 * not spread Unix connections with SO_REUSEPORT) on the first loop, which hands accepted
 * connections to the loops in turn, as Netty's acceptor does.
 */
final class PollenEcho {

    private PollenEcho() {}

    /** Binds and starts serving on every loop of the runtime; returns when all listen. */
    static void start(Runtime runtime, InetSocketAddress address) throws Exception {
        boolean reusePort = runtime.loops().size() > 1;
        CompletableFuture<?>[] started = new CompletableFuture<?>[runtime.loops().size()];
        int i = 0;
        for (EventLoop loop : runtime.loops()) {
            TcpListener listener = TcpListener.bind(address, loop.backend(), 4096, reusePort);
            CompletableFuture<Void> f = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    new Acceptor(loop, listener, List.of(loop)).start();
                    f.complete(null);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            started[i++] = f;
        }
        CompletableFuture.allOf(started).get(30, TimeUnit.SECONDS);
    }

    /** Serves echo on a Unix socket file at {@code path} (which must not exist); returns when it listens. */
    static void startUnix(Runtime runtime, Path path) throws Exception {
        EventLoop first = runtime.loops().getFirst();
        UnixListener listener = UnixListener.bind(UnixSocketAddress.of(path), first.backend(), 4096);
        CompletableFuture<Void> f = new CompletableFuture<>();
        first.execute(() -> {
            try {
                new Acceptor(first, listener, runtime.loops()).start();
                f.complete(null);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        f.get(30, TimeUnit.SECONDS);
    }

    /** Accepts on one loop and spreads connections over {@code targets}; one shared buffer per target loop. */
    private static final class Acceptor implements ReadyHandler {
        final EventLoop loop;
        final StreamListener listener;
        final List<EventLoop> targets;
        final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024));
        int next;

        Acceptor(EventLoop loop, StreamListener listener, List<EventLoop> targets) {
            this.loop = loop;
            this.listener = listener;
            this.targets = targets;
        }

        void start() {
            loop.register(listener, Interest.READABLE, this);
        }

        @Override
        public void ready(int readyFlags) {
            try {
                for (StreamSocket s; (s = listener.accept()) != null; ) {
                    if (s instanceof TcpStream tcp) {
                        tcp.setNoDelay(true);
                    }
                    EventLoop target = targets.get(next++ % targets.size());
                    StreamSocket accepted = s;
                    if (target == loop) {
                        serve(target, accepted);
                    } else {
                        target.execute(() -> serve(target, accepted));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // reported by the loop's error handler
            }
        }

        /** Registers a connection on {@code target}'s thread; no read now: the registration reports bytes that came with it. */
        private void serve(EventLoop target, StreamSocket s) {
            Conn c = new Conn(s, buffers.get());
            c.registration = target.register(s, Interest.READABLE.add(Interest.WRITABLE), c);
        }
    }

    private static final class Conn implements ReadyHandler {
        final StreamSocket stream;
        final ByteBuffer buffer;
        Registration registration;
        ByteBuffer pending; // echo bytes the socket did not take yet

        Conn(StreamSocket stream, ByteBuffer buffer) {
            this.stream = stream;
            this.buffer = buffer;
        }

        @Override
        public void ready(int readyFlags) {
            try {
                if (pending != null) {
                    stream.write(pending);
                    if (pending.hasRemaining()) return; // wait for the next writable edge
                    pending = null;
                }
                while (true) {
                    ByteBuffer b = buffer.clear();
                    int n = stream.read(b);
                    if (n < 0) {
                        close();
                        return;
                    }
                    if (n == 0) return; // drained: wait for the next readable edge
                    boolean shortRead = b.hasRemaining();
                    b.flip();
                    stream.write(b);
                    if (b.hasRemaining()) {
                        pending = ByteBuffer.allocate(b.remaining()).put(b).flip();
                        return;
                    }
                    // A short read emptied the queue: the next bytes raise a new event, so skip the
                    // read that would only say "would block" (TcpStream's contract), unless the
                    // peer's end of stream came with these bytes.
                    if (shortRead && (readyFlags & (Readiness.READ_CLOSED | Readiness.ERROR)) == 0) return;
                }
            } catch (IOException e) {
                close(); // peer reset: nothing to report in a benchmark server
            }
        }

        private void close() {
            registration.cancel();
            try {
                stream.close();
            } catch (IOException ignored) {
                // already reset
            }
        }
    }
}
