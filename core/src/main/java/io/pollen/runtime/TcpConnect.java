package io.pollen.runtime;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.NotYetConnectedException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * An outgoing connect of an {@link AsyncTcpStream}: started on the loop, settled by the first
 * writable (or error) event, limited by an optional timer.
 */
final class TcpConnect {
    private TcpConnect() {
    }

    /** See {@link AsyncTcpStream#connect(EventLoop, InetSocketAddress, Duration)}. */
    static CompletableFuture<AsyncTcpStream> start(EventLoop loop, InetSocketAddress remote, Duration timeout) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(remote, "remote");
        Task task = Task.current(loop);
        return LoopCalls.onLoop(loop, () -> {
            TcpStream s;
            try {
                // On io_uring the loop's driver connects as a completion (IORING_OP_CONNECT) when
                // the stream registers, just below; every other backend connects here, as before.
                s = loop.backend() == Backend.IO_URING
                        ? TcpStream.connectOnRegister(remote, loop.backend())
                        : TcpStream.connect(remote, loop.backend());
            } catch (IOException e) {
                return LoopCalls.failed(e);
            }
            AsyncTcpStream a;
            try {
                a = new AsyncTcpStream(loop, s, task, 0);
            } catch (RuntimeException e) {
                AsyncSource.closeQuietly(s);
                // a connect that failed at once (started by the registration): its own error
                return LoopCalls.failed(e instanceof UncheckedIOException u ? u.getCause() : e);
            }
            if (a.closed) { // opened by a cancelled task: closed at once (Task.own)
                return LoopCalls.failed(new CancellationException(
                        "the task connecting to " + remote + " was cancelled"));
            }
            CompletableFuture<AsyncTcpStream> f = new CompletableFuture<>();
            a.connecting = f;
            a.connectTask = task;
            if (timeout != null) {
                TimerHandle timer = loop.schedule(timeout, () -> {
                    if (!f.isDone()) {
                        a.fail(f, new TimeoutException("connect to " + remote + " timed out after " + timeout), a.connectTask);
                        a.close();
                    }
                });
                f.whenComplete((v, e) -> timer.cancel());
            }
            // Completion shows as writable (or an error): wait for that event.
            return f;
        });
    }

    /** The stream's first event while connecting: settles the connect, or waits on (loop thread). */
    static void finish(AsyncTcpStream a) {
        CompletableFuture<AsyncTcpStream> f = a.connecting;
        if (f.isDone()) { // timed out or abandoned
            a.connecting = null;
            a.close();
            return;
        }
        try {
            // A peer address means connected: one call settles the usual case. Without one, the
            // socket's pending error says whether the connect failed or is still under way.
            try {
                a.socket.peerAddress();
            } catch (NotYetConnectedException notYet) {
                IOException error = a.socket.takeError();
                if (error == null) {
                    a.notReady(Readiness.ANY_WRITE); // a spurious event: still connecting
                    return;
                }
                throw error;
            }
        } catch (IOException e) {
            a.connecting = null;
            a.close();
            a.fail(f, e, a.connectTask);
            return;
        }
        a.connecting = null;
        // A fresh connection has room in its send buffer, whatever the event said.
        a.reg.setReadiness(Readiness.WRITABLE);
        LoopCalls.complete(a.loop, a.connectTask, f, a);
    }
}
