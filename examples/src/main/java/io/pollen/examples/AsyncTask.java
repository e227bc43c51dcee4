package io.pollen.examples;

import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Step 2 of 3: the chapter's task on Pollen's runtime, in the <b>async</b> style.
 *
 * <p>Compare with {@link ChapterReactorExecutor}: the Reactor thread, the channel, the map of
 * suspended tasks, the token and the hand-written state machine are gone. The {@link Runtime}
 * provides them: one event-loop thread that both polls (the Reactor) and runs continuations (the
 * Executor). A task is a chain of {@code CompletableFuture}s; "suspended" means a future that has
 * not completed yet, and "resumed" means the loop completed it after the socket became ready and
 * ran the next stage. Nothing blocks, so one loop thread can carry thousands of such tasks
 * ({@code pollen demo --tasks 10000}).
 *
 * <p>Run it: {@code java ... io.pollen.examples.AsyncTask [URL]}; without a URL it starts the
 * embedded demo server. Next: {@link VirtualThreadTask}, the same task written as blocking code.
 */
public final class AsyncTask {
    /** The most a response may hold before reading it fails (the example's are small). */
    static final int MAX_RESPONSE = 16 * 1024 * 1024;

    private AsyncTask() {
    }

    public static void main(String[] args) throws Exception {
        try (ExampleServer server = ExampleServer.forArgs(args)) {
            System.out.println(run(server.target(), System.out));
        }
        System.out.println("EXITING");
    }

    /** Runs the task to its end on a fresh one-loop runtime and returns the response. */
    static String run(Target target, PrintStream out) throws Exception {
        // The runtime: Reactor + Executor on one thread. try-with-resources shuts it down and
        // joins its thread: the chapter's "best practice" we must not skip.
        try (Runtime runtime = Runtime.create()) {
            EventLoop loop = runtime.next(); // the only loop
            // blockOn: spawn the task on the loop and wait here (on main) for its result.
            return runtime.blockOn(() -> task(loop, target, out));
        }
    }

    /**
     * The task. Each {@code thenCompose} is a point where the task may be suspended: if the
     * socket is not ready, the stage returns an incomplete future and the loop moves on to other
     * work; when the Reactor sees readiness it completes the future and the Executor runs the
     * next stage. All stages run on the loop thread, so no locks are needed.
     */
    static CompletableFuture<String> task(EventLoop loop, Target target, PrintStream out) {
        out.println("TASK: connecting to " + target.address());
        return AsyncTcpStream.connect(loop, target.address(), Duration.ofSeconds(10))
                .thenCompose(stream -> {
                    out.println("TASK: connected; sending GET " + target.path());
                    ByteBuffer request = ByteBuffer.wrap(target.request().getBytes(StandardCharsets.US_ASCII));
                    return stream.writeAll(request) // suspends while the send buffer is full
                            .thenCompose(sent -> {
                                out.println("TASK: request sent; suspended until the response is ready");
                                // Until the server closes the connection (Connection: close).
                                return stream.readToEnd(MAX_RESPONSE).thenCompose(AsyncTask::decode);
                            })
                            // Close whatever happened: success, a refused read, a timeout.
                            .whenComplete((response, error) -> stream.close());
                });
    }

    /** The response as text; an empty one is the chapter's "Got an empty buffer" error. */
    private static CompletableFuture<String> decode(byte[] bytes) {
        if (bytes.length == 0) {
            return CompletableFuture.failedFuture(new java.io.IOException("Got an empty buffer"));
        }
        return CompletableFuture.completedFuture(new String(bytes, StandardCharsets.ISO_8859_1));
    }
}
