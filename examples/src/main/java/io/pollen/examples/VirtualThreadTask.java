package io.pollen.examples;

import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Step 3 of 3: the chapter's task in the <b>virtual-thread</b> style: blocking-looking code, the
 * same event loop underneath.
 *
 * <p>Compare with {@link AsyncTask}: the same {@link AsyncTcpStream} calls, but instead of chaining
 * {@code thenCompose}, the task simply {@code join()}s each future. It runs on a virtual thread
 * ({@link Runtime#blockOnVirtual}), so {@code join()} parks the virtual thread (its carrier thread
 * is free to run other virtual threads) until the event loop completes the future. The loop
 * thread still does every read and write: the virtual thread only waits and decides.
 *
 * <p>The trade: straight-line code, loops, try/finally and stack traces that make sense, for the
 * price of one virtual thread (a few hundred bytes to a few KB of stack) per task.
 *
 * <p>Run it: {@code java ... io.pollen.examples.VirtualThreadTask [URL]}; without a URL it starts the
 * embedded demo server.
 */
public final class VirtualThreadTask {
    private VirtualThreadTask() {
    }

    public static void main(String[] args) throws Exception {
        try (ExampleServer server = ExampleServer.forArgs(args)) {
            System.out.println(run(server.target(), System.out));
        }
        System.out.println("EXITING");
    }

    /** Runs the task on a virtual thread of a fresh one-loop runtime and returns the response. */
    static String run(Target target, PrintStream out) throws Exception {
        try (Runtime runtime = Runtime.create()) {
            EventLoop loop = runtime.next();
            // blockOnVirtual: a new virtual thread runs the callable; this (main) thread waits for
            // its result.
            return runtime.blockOnVirtual(() -> task(loop, target, out));
        }
    }

    /** The task, top to bottom. Every {@code join()} is a suspension point. */
    static String task(EventLoop loop, Target target, PrintStream out) throws IOException {
        out.println("TASK: on " + Thread.currentThread() + ", connecting to " + target.address());
        // join() parks this virtual thread until the loop has finished the connect.
        try (AsyncTcpStream stream = AsyncTcpStream.connect(loop, target.address(), Duration.ofSeconds(10)).join()) {
            ByteBuffer request = ByteBuffer.wrap(target.request().getBytes(StandardCharsets.US_ASCII));
            stream.writeAll(request).join();
            out.println("TASK: request sent; parked until the response is ready");

            // The chapter's read_to_string, without blocking a platform thread: parks until the
            // server closes the connection; the loop wakes us as data arrives.
            byte[] response = stream.readToEnd(AsyncTask.MAX_RESPONSE).join();
            out.println("TASK: resumed on " + Thread.currentThread() + " with the whole response");
            if (response.length == 0) {
                throw new IOException("Got an empty buffer");
            }
            return new String(response, StandardCharsets.ISO_8859_1);
        }
    }
}
