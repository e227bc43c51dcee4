package io.pollen.examples;

import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Event;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.PollClosedException;
import io.pollen.poll.Source;
import io.pollen.poll.Token;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Step 1 of 3: the chapter's program ({@code reference/reactor-executor-chapter.md}), ported to
 * Pollen's event queue ({@link Poll}) and {@link TcpStream}, with the corners it cuts put back.
 *
 * <p>The shape is the chapter's: a <b>Reactor</b> thread polls and sends each event's token over a
 * channel (here a {@link BlockingQueue}); an <b>Executor</b> on the main thread keeps suspended
 * tasks (callbacks keyed by token), receives tokens and resumes the matching task; the <b>task</b>
 * sends {@code GET /delay/1000/...} to a slow endpoint and is suspended until the answer is ready.
 *
 * <p>What changed, and why (each is a bug waiting in the original):
 * <ol>
 *   <li><b>The write is non-blocking.</b> The chapter calls {@code write_all} on a socket whose
 *       connect may not have finished. Here the task registers for WRITABLE, learns from the first
 *       event that the connect finished (or failed: {@link TcpStream#takeError()}), and writes what
 *       the socket accepts, waiting for the next WRITABLE edge if it accepts less.</li>
 *   <li><b>The read is non-blocking and edge-triggered.</b> The chapter's
 *       {@code read_to_string} blocks the executor until the server closes. Here the task reads
 *       until "would block" (0) and is suspended again; events are edges, so draining is what
 *       makes the next event come. End of stream (-1) finishes it.</li>
 *   <li><b>Handlers are found by a map</b>, not a linear scan: O(1) per event, whatever the
 *       number of suspended tasks. A token with no handler (a spurious event for a task that just
 *       finished) is skipped instead of panicking, as {@code Registry}'s contract asks.</li>
 *   <li><b>The Poll is closed to stop the loop</b> (the chapter's {@code close_loop}), which wakes
 *       the reactor thread at once; its next {@code poll} reports {@link PollClosedException}.</li>
 *   <li><b>The reactor thread is joined</b>, and the channel is "closed" by a sentinel when it
 *       exits, as dropping the Rust {@code Sender} ends {@code recv()}. Nothing is left running.</li>
 * </ol>
 *
 * <p>Run it: {@code java ... io.pollen.examples.ChapterReactorExecutor [URL]}; without a URL it
 * starts Pollen's embedded demo server and asks it for {@code /delay/1000/url/http://www.google.com},
 * the chapter's request. Steps 2 and 3: {@link AsyncTask}, {@link VirtualThreadTask}.
 */
public final class ChapterReactorExecutor {
    /** The chapter's token for its one task. */
    static final long TEST_TOKEN = 10;
    /** What the reactor sends when it stops: Java queues have no "sender dropped". Tokens are >= 0. */
    private static final long CHANNEL_CLOSED = -1;

    private ChapterReactorExecutor() {
    }

    public static void main(String[] args) throws Exception {
        try (ExampleServer server = ExampleServer.forArgs(args)) {
            run(server.target(), Backend.select(), System.out);
        }
        System.out.println("EXITING");
    }

    /**
     * The chapter's {@code main}: wires a Reactor and an Executor, runs the one task to the end, and
     * returns the response it received (for tests).
     */
    static String run(Target target, Backend backend, PrintStream out) throws Exception {
        // 1. The channel between Reactor and Executor.
        BlockingQueue<Long> channel = new LinkedBlockingQueue<>();
        // 2. The Reactor (its own thread, polling) and the Executor (this thread).
        try (Reactor reactor = new Reactor(backend, channel, out)) {
            Executor executor = new Executor(channel, out);

            // 3. The task, first half: start a non-blocking connect. Nothing is sent yet.
            // (try-with-resources: closing twice is harmless, and an error must not leak the socket)
            try (TcpStream stream = TcpStream.connect(target.address(), reactor.backend())) {
                HttpGet task = new HttpGet(stream, target.request(), reactor, out);
                // 4. Register interest. WRITABLE fires when the connect completes; READABLE later
                //    when the answer arrives. Both are edges: one event per change of readiness.
                reactor.register(stream, Token.of(TEST_TOKEN), Interest.READABLE.add(Interest.WRITABLE));
                // 5. Suspend the task: the Executor will resume it each time its token is ready.
                executor.suspend(TEST_TOKEN, task);
                // 6. Run until every task finished and the Reactor stopped.
                executor.blockOnAll();
                return task.response();
            }
        } // 7. close(): the reactor thread is joined here (the chapter skips it "for brevity").
    }

    /** The Reactor: an event queue, and a thread that forwards each ready token to the Executor. */
    static final class Reactor implements AutoCloseable {
        private final Poll poll;
        private final Thread thread;

        Reactor(Backend backend, BlockingQueue<Long> sender, PrintStream out) throws IOException {
            this.poll = Poll.open(backend); // epoll on Linux; -Dpollen.backend=nio for the portable one
            this.thread = Thread.ofPlatform().name("reactor").start(() -> {
                // One Events buffer, reused by every poll: polling allocates nothing.
                Events events = Events.withCapacity(1024);
                try {
                    while (true) {
                        out.println("Waiting! " + poll);
                        try {
                            // Blocks until an event, a wake-up, close(), or 200 ms.
                            poll.poll(events, Duration.ofMillis(200));
                        } catch (PollClosedException closed) {
                            out.println("INTERRUPTED: Poll closed.");
                            break;
                        } catch (IOException e) {
                            throw new UncheckedIOException("poll failed", e);
                        }
                        for (Event event : events) {
                            sender.add(event.token()); // copy the long out: the Event is a reused view
                        }
                    }
                } finally {
                    sender.add(CHANNEL_CLOSED); // the Executor's recv() now ends, as in Rust
                }
            });
        }

        Backend backend() {
            return poll.backend();
        }

        void register(Source source, Token token, Interest interest) throws IOException {
            poll.registry().register(source, token, interest);
        }

        void reregister(Source source, Token token, Interest interest) throws IOException {
            poll.registry().reregister(source, token, interest);
        }

        void deregister(Source source) throws IOException {
            poll.registry().deregister(source);
        }

        /** The chapter's {@code close_loop}: wakes the reactor thread, which then exits. */
        void stopLoop() throws IOException {
            poll.close();
        }

        /** Stops the loop (if the task did not) and joins the thread. */
        @Override
        public void close() throws IOException, InterruptedException {
            stopLoop();
            thread.join();
        }
    }

    /**
     * A suspended task: the Executor calls {@link #resume()} each time the task's token is ready.
     * It returns true when the task is finished, false to stay suspended.
     */
    interface Task {
        boolean resume() throws IOException;
    }

    /** The Executor: suspended tasks by token, and a loop that resumes them as tokens arrive. */
    static final class Executor {
        private final Map<Long, Task> suspended = new HashMap<>(); // O(1) lookup, not a scan
        private final BlockingQueue<Long> receiver;
        private final PrintStream out;

        Executor(BlockingQueue<Long> receiver, PrintStream out) {
            this.receiver = receiver;
            this.out = out;
        }

        void suspend(long token, Task task) {
            if (suspended.putIfAbsent(token, task) != null) {
                throw new IllegalStateException("token " + token + " already has a suspended task");
            }
        }

        void resume(long token) throws IOException {
            Task task = suspended.get(token);
            if (task == null) {
                return; // a stale event for a task that already finished: allowed, skip it
            }
            out.println("RESUMING TASK: " + token);
            if (task.resume()) {
                suspended.remove(token);
            }
        }

        /** Receives tokens until the Reactor has stopped, resuming the task each one belongs to. */
        void blockOnAll() throws IOException, InterruptedException {
            long token;
            while ((token = receiver.take()) != CHANNEL_CLOSED) {
                out.println("EVENT: " + token + " is ready");
                resume(token);
            }
            if (!suspended.isEmpty()) {
                throw new IllegalStateException("the reactor stopped with tasks still suspended: " + suspended.keySet());
            }
        }
    }

    /**
     * The chapter's task as a state machine: send the request (as fast as the socket takes it),
     * then collect the response until the server closes the connection.
     */
    static final class HttpGet implements Task {
        private final TcpStream stream;
        private final ByteBuffer request;
        private final Reactor reactor;
        private final PrintStream out;
        private final ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
        private final StringBuilder response = new StringBuilder();
        private boolean connected;

        HttpGet(TcpStream stream, String request, Reactor reactor, PrintStream out) {
            this.stream = stream;
            this.request = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            this.reactor = reactor;
            this.out = out;
        }

        @Override
        public boolean resume() throws IOException {
            if (!connected) {
                // The first event after a non-blocking connect: it either worked or left an error.
                IOException failed = stream.takeError();
                if (failed != null) {
                    finish();
                    throw failed;
                }
                connected = true;
            }
            if (request.hasRemaining()) {
                stream.write(request); // writes what fits; 0 means "would block", wait for WRITABLE
                if (request.hasRemaining()) {
                    return false;
                }
                out.println("TASK " + TEST_TOKEN + ": request sent, suspended until the response is ready");
                // Sent: only READABLE matters now (a WRITABLE edge would be a useless wake-up).
                reactor.reregister(stream, Token.of(TEST_TOKEN), Interest.READABLE);
            }
            // Drain: read until "would block" (0) or end of stream (-1). Never block the executor.
            while (true) {
                chunk.clear();
                int n = stream.read(chunk);
                if (n == 0) {
                    return false; // nothing more for now: stay suspended until the next edge
                }
                if (n < 0) {
                    out.println(response);
                    if (response.isEmpty()) {
                        finish();
                        throw new IOException("Got an empty buffer");
                    }
                    finish();
                    return true;
                }
                response.append(new String(chunk.array(), 0, n, StandardCharsets.ISO_8859_1));
            }
        }

        /** Deregisters and closes the stream, then stops the loop: this was the only task. */
        private void finish() throws IOException {
            try (stream) {
                reactor.deregister(stream);
            } finally {
                reactor.stopLoop();
            }
        }

        String response() {
            return response.toString();
        }
    }
}
