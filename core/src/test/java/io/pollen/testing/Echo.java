package io.pollen.testing;

import io.pollen.runtime.AsyncTcpListener;
import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.EventLoop;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Test helpers: an async echo server (echoes until the client's EOF, then shuts down and closes —
 * the server closes first, so TIME_WAIT stays on the server side) and an async client round trip.
 */
public final class Echo {
    private Echo() {
    }

    /** Accepts forever (until the listener closes), echoing each connection on {@code target(i)}. */
    public static void serve(AsyncTcpListener listener, Function<Integer, EventLoop> target) {
        acceptLoop(listener, target, new int[1], Echo::echo);
    }

    public static void acceptLoop(AsyncTcpListener l, Function<Integer, EventLoop> target, int[] n,
                           Consumer<AsyncTcpStream> onConn) {
        while (true) {
            CompletableFuture<AsyncTcpStream> f = l.accept(target.apply(n[0]++));
            if (!f.isDone()) {
                f.whenComplete((s, e) -> {
                    if (e == null) {
                        onConn.accept(s);
                        acceptLoop(l, target, n, onConn);
                    }
                });
                return;
            }
            if (f.isCompletedExceptionally()) {
                return;
            }
            onConn.accept(f.join());
        }
    }

    /** Echoes everything until EOF, then shuts down output and closes. */
    public static CompletableFuture<Void> echo(AsyncTcpStream s) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        CompletableFuture<Void> done = new CompletableFuture<>();
        echoStep(s, buf, done);
        return done.whenComplete((v, e) -> s.close());
    }

    private static void echoStep(AsyncTcpStream s, ByteBuffer buf, CompletableFuture<Void> done) {
        buf.clear();
        s.read(buf).whenComplete((n, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else if (n < 0) {
                s.shutdownOutput().whenComplete((v, e2) -> done.complete(null));
            } else {
                buf.flip();
                s.writeAll(buf).whenComplete((v, e2) -> {
                    if (e2 != null) {
                        done.completeExceptionally(e2);
                    } else {
                        echoStep(s, buf, done);
                    }
                });
            }
        });
    }

    /** Connects, sends {@code payload}, shuts down output, reads until EOF, closes; the bytes read. */
    public static CompletableFuture<byte[]> roundTrip(EventLoop loop, InetSocketAddress addr, byte[] payload) {
        return AsyncTcpStream.connect(loop, addr).thenCompose(s ->
                s.writeAll(ByteBuffer.wrap(payload))
                        .thenCompose(v -> s.shutdownOutput())
                        .thenCompose(v -> s.readToEnd(Integer.MAX_VALUE))
                        .whenComplete((b, e) -> s.close()));
    }

    /** {@code size} bytes that differ with {@code i}, so that mixed-up echoes show. */
    public static byte[] payload(int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        return b;
    }
}
