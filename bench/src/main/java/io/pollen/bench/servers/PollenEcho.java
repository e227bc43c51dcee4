package io.pollen.bench.servers;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Readiness;
import io.pollen.runtime.ReadyHandler;
import io.pollen.runtime.Registration;
import io.pollen.runtime.Runtime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A TCP echo server on Pollen's low-level readiness API ({@link EventLoop#register} with a
 * {@link ReadyHandler}), the way protocol code that wants full speed uses the runtime: one
 * listener per loop (SO_REUSEPORT when there are several), every connection registered once for
 * reading and writing, edge-triggered: read until "would block", write back at once.
 *
 * <p>Each loop has one direct buffer shared by its connections; a connection holds a heap copy
 * only of bytes the socket did not take, and stops reading until they are gone (back-pressure).
 *
 * <p>On epoll a short read (fewer bytes than the buffer had room for) ends the drain, as
 * epoll(7) allows for stream sockets: later bytes raise a new edge. That saves the read that would
 * only say "would block", one syscall in three per ping-pong message. Not on the nio backend (its
 * edge emulation re-arms on "would block"), nor once the peer's FIN or an error was reported.
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
                    new Acceptor(loop, listener).start();
                    f.complete(null);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            started[i++] = f;
        }
        CompletableFuture.allOf(started).get(30, TimeUnit.SECONDS);
    }

    /** Accepts on one loop; owns that loop's shared buffer. */
    private static final class Acceptor implements ReadyHandler {
        final EventLoop loop;
        final TcpListener listener;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

        Acceptor(EventLoop loop, TcpListener listener) {
            this.loop = loop;
            this.listener = listener;
        }

        void start() {
            loop.register(listener, Interest.READABLE, this);
        }

        @Override
        public void ready(int readyFlags) {
            try {
                for (TcpStream s; (s = listener.accept()) != null; ) {
                    s.setNoDelay(true);
                    Conn c = new Conn(s, buffer, loop.backend() == Backend.EPOLL);
                    c.registration = loop.register(s, Interest.READABLE.add(Interest.WRITABLE), c);
                    c.ready(0); // bytes may have arrived before the registration
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // reported by the loop's error handler
            }
        }
    }

    private static final class Conn implements ReadyHandler {
        final TcpStream stream;
        final ByteBuffer buffer;
        Registration registration;
        ByteBuffer pending; // echo bytes the socket did not take yet
        boolean shortReadDrains;

        Conn(TcpStream stream, ByteBuffer buffer, boolean shortReadDrains) {
            this.stream = stream;
            this.buffer = buffer;
            this.shortReadDrains = shortReadDrains;
        }

        @Override
        public void ready(int readyFlags) {
            if ((readyFlags & (Readiness.READ_CLOSED | Readiness.ERROR)) != 0) {
                shortReadDrains = false; // that edge is spent: read on to the end of stream
            }
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
                    b.flip();
                    stream.write(b);
                    if (b.hasRemaining()) {
                        pending = ByteBuffer.allocate(b.remaining()).put(b).flip();
                        return;
                    }
                    if (shortReadDrains && n < b.capacity()) return; // drained: the next edge brings more
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
