package io.pollen.cli;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.JoinHandle;
import io.pollen.runtime.Readiness;
import io.pollen.runtime.Registration;
import io.pollen.runtime.Runtime;
import io.pollen.runtime.TimerHandle;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pollen demo} with no {@code --tasks}: the chapter's one task as a real Pollen task,
 * narrated in the chapter's words.
 *
 * <p>The task is spawned on a one-loop {@link Runtime}. It connects without blocking, sends the
 * chapter's {@code GET /delay/1000/...} when the connection is writable, and is then suspended: it
 * holds no thread, only a {@link Registration} with a handler. While it waits, a 200 ms interval
 * timer on the same loop prints {@code Waiting!} (the chapter's reactor prints it on each 200 ms
 * poll). When the answer arrives, the loop's reactor phase calls the handler, which prints
 * {@code EVENT: 10 is ready} and hands the task to the loop's executor phase
 * ({@link EventLoop#execute}); there it prints {@code RESUMING TASK: 10} and reads until the socket
 * would block. Edges may split the response, so the pair can repeat; end of stream completes the
 * task, which prints the response, and the runtime is closed (its thread joined) before
 * {@code EXITING}.
 */
final class ChapterTrace {
    /** The chapter's {@code TEST_TOKEN}. */
    static final long TOKEN = 10;
    private static final Duration WAITING_EVERY = Duration.ofMillis(200);

    private ChapterTrace() {
    }

    /** Runs the task; true if a non-empty response arrived. Prints failures to stdout's trace too. */
    static boolean run(Target target, Backend backend, Duration timeout, PrintWriter out) throws Exception {
        return run(target, null, backend, timeout, out);
    }

    /** As above; an https target runs TLS with {@code tls} (null: the JDK's trust store). */
    static boolean run(Target target, javax.net.ssl.SSLContext tls, Backend backend, Duration timeout, PrintWriter out)
            throws Exception {
        String response;
        Task task = null;
        try (Runtime runtime = Runtime.builder().backend(backend).loops(1).threadNamePrefix("pollen-demo").build()) {
            EventLoop loop = runtime.next();
            Task t = new Task(loop, target, out, tls);
            task = t;
            JoinHandle<String> handle = loop.spawn(t::start);
            try {
                response = handle.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                loop.execute(() -> t.result.cancel(false)); // releases its timer and registration
                throw new TimeoutException("no complete response from " + target + " within "
                        + Summary.duration(timeout));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } finally {
                out.flush();
            }
        } finally {
            // After the loop thread is joined: closing twice is harmless; leaking on failure is not.
            if (task != null) {
                task.closeStream();
            }
        }
        out.println(response);
        out.println("EXITING");
        out.flush();
        return !response.isEmpty();
    }

    /** The task's state; every method runs on the loop thread. */
    private static final class Task {
        private final EventLoop loop;
        private final Target target;
        private final PrintWriter out;
        private final ByteBuffer request;
        private final ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
        private final StringBuilder response = new StringBuilder();
        final CompletableFuture<String> result = new CompletableFuture<>();
        private TcpStream stream;
        /** TLS over {@link #stream} for an https target (made once connected), else null. */
        private io.pollen.tls.TlsChannel tls;
        private final javax.net.ssl.SSLContext tlsContext;
        private Registration registration;
        private TimerHandle waiting;
        private boolean connected;
        private boolean suspended;
        private boolean readPending;

        Task(EventLoop loop, Target target, PrintWriter out, javax.net.ssl.SSLContext tlsContext) {
            this.tlsContext = tlsContext;
            this.loop = loop;
            this.target = target;
            this.out = out;
            this.request = ByteBuffer.wrap(target.request().getBytes(StandardCharsets.US_ASCII));
        }

        CompletableFuture<String> start() {
            out.println("TASK " + TOKEN + ": connecting to " + target.address().getAddress().getHostAddress()
                    + ":" + target.address().getPort());
            try {
                stream = TcpStream.connect(target.address(), loop.backend());
                // Registered once for both: WRITABLE says the connect finished, READABLE that data came.
                registration = loop.register(stream, Interest.READABLE.add(Interest.WRITABLE), this::ready);
            } catch (IOException | RuntimeException e) {
                closeStream();
                return CompletableFuture.failedFuture(e);
            }
            waiting = loop.interval(WAITING_EVERY, () -> {
                if (suspended) {
                    out.println("Waiting! TASK " + TOKEN + " is suspended; the event loop ("
                            + Thread.currentThread().getName() + ") is polling " + loop.backend().id());
                    out.flush();
                }
            });
            // Cancelled (by a timeout or the runtime closing): release everything.
            result.whenComplete((r, e) -> cleanUp());
            return result;
        }

        /** The reactor's side: the handler the loop calls with each event for our socket. */
        private void ready(int flags) {
            if (!connected || request.hasRemaining()) {
                // Still connecting or sending: no trace line, as in the chapter. An early READABLE
                // edge (a server that speaks first, or an error) is remembered, not lost.
                readPending |= (flags & Readiness.ANY_READ) != 0;
                loop.execute(this::send);
                return;
            }
            if ((flags & Readiness.ANY_WRITE) != 0 && tls != null) {
                try {
                    tls.flush(); // the last TLS record of the request, if the socket was full
                } catch (IOException e) {
                    result.completeExceptionally(e);
                    return;
                }
            }
            if ((flags & Readiness.ANY_READ) == 0) {
                return; // a writable edge after the request went out: nothing to resume
            }
            out.println("EVENT: " + TOKEN + " is ready");
            loop.execute(this::resume); // notify the executor; it runs the task in its own phase
        }

        private void send() {
            if (result.isDone() || (connected && !request.hasRemaining())) {
                return; // several edges queued several sends: the first one did the work
            }
            try {
                if (!connected) {
                    IOException failed = stream.takeError();
                    if (failed != null) {
                        result.completeExceptionally(failed);
                        return;
                    }
                    connected = true;
                    if (target.https()) {
                        startTls();
                    }
                    out.println("TASK " + TOKEN + ": connected; sending GET " + target.path()
                            + (tls != null ? " over TLS" : ""));
                }
                write(request); // what fits; the rest on the next WRITABLE edge
                if (!request.hasRemaining()) {
                    suspended = true;
                    out.println("TASK " + TOKEN + ": request sent; suspended until the response is ready");
                    out.flush();
                    if (readPending) { // its edge came while we were sending; it will not come again
                        out.println("EVENT: " + TOKEN + " is ready");
                        resume();
                    }
                }
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        }

        /** The executor's side: the suspended task runs again and drains the socket. */
        private void resume() {
            if (result.isDone()) {
                return;
            }
            out.println("RESUMING TASK: " + TOKEN);
            suspended = false;
            try {
                while (true) {
                    chunk.clear();
                    int n = tls == null ? stream.read(chunk) : tls.read(chunk);
                    if (n == 0) {
                        suspended = true; // would block: wait for the next edge
                        return;
                    }
                    if (n < 0) {
                        result.complete(response.toString());
                        return;
                    }
                    response.append(new String(chunk.array(), 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        }

        private void startTls() throws IOException {
            try {
                javax.net.ssl.SSLContext ctx = tlsContext != null ? tlsContext : io.pollen.tls.TlsContexts.client();
                tls = new io.pollen.tls.TlsChannel(stream, io.pollen.tls.TlsContexts.clientEngine(ctx, target.hostName(),
                        target.address().getPort(), "http/1.1"), loop, () -> ready(Readiness.READABLE | Readiness.WRITABLE));
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("cannot set up TLS: " + e.getMessage(), e);
            }
        }

        /** Writes what fits; over TLS, a read first drives the handshake (its answer is data too). */
        private void write(ByteBuffer b) throws IOException {
            if (tls == null) {
                stream.write(b);
                return;
            }
            tls.flush();
            chunk.clear();
            int n = tls.read(chunk);
            if (n > 0) {
                response.append(new String(chunk.array(), 0, n, StandardCharsets.ISO_8859_1));
            }
            tls.write(b);
        }

        private void cleanUp() {
            // Runs on the loop thread: the result is completed there, and cancelled there on timeout.
            if (waiting != null) {
                waiting.cancel();
            }
            if (registration != null) {
                registration.cancel();
            }
            closeStream();
        }

        void closeStream() {
            if (stream == null) {
                return;
            }
            try {
                stream.close();
            } catch (IOException ignored) {
                // closing a socket we are done with; nothing to report
            }
        }
    }
}
