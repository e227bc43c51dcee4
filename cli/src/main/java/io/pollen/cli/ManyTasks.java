package io.pollen.cli;

import io.pollen.poll.Backend;
import io.pollen.runtime.AsyncTcpStream;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code pollen demo --tasks N}: N copies of the chapter's task at once, all on ONE event-loop
 * thread, then a {@link Summary}.
 *
 * <p>Each task connects, sends {@code GET /delay/<ms>/...} with {@code Connection: close}, reads
 * until the server closes, and checks the response ({@link RawResponse}). Two styles:
 * <ul>
 *   <li>{@link Style#ASYNC}: the task is a chain of {@code CompletableFuture}s from
 *       {@link AsyncTcpStream}; every continuation runs on the loop thread. A suspended task costs a
 *       few objects, no thread.</li>
 *   <li>{@link Style#VIRTUAL}: one virtual thread per task calls the same {@link AsyncTcpStream}
 *       and {@code join()}s each future, which parks the virtual thread until the loop completes
 *       it. Blocking-style code; the loop thread still does all the I/O.</li>
 * </ul>
 * The server (when embedded) runs on its own loop, so "threads" counts the client side only.
 */
final class ManyTasks {
    /** The two task styles of {@code --style}. */
    enum Style { ASYNC, VIRTUAL }

    private final Target target;
    private final Backend backend;
    private final Style style;
    private final int tasks;
    private final Duration timeout;
    private final Progress.Mode progressMode;
    private final PrintWriter out;
    private final byte[] request;

    private final AtomicLong done = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicLong lastDoneNanos = new AtomicLong();
    private final Set<String> loopThreads = ConcurrentHashMap.newKeySet();
    private final Set<String> carrierThreads = ConcurrentHashMap.newKeySet();

    ManyTasks(Target target, Backend backend, Style style, int tasks, Duration timeout,
              Progress.Mode progressMode, PrintWriter out) {
        this.target = target;
        this.backend = backend;
        this.style = style;
        this.tasks = tasks;
        this.timeout = timeout;
        this.progressMode = progressMode;
        this.out = out;
        this.request = target.request().getBytes(StandardCharsets.US_ASCII);
    }

    /** Runs every task to completion (or failure) and returns the summary. */
    Summary run() throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(tasks);
        int jvmThreads;
        int loops;
        long start;
        try (Runtime runtime = Runtime.builder().backend(backend).loops(1).threadNamePrefix("pollen-demo").build()) {
            EventLoop loop = runtime.next();
            Progress progress = new Progress(out, progressMode, tasks, done::get);
            start = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                CompletionStage<RawResponse> task = style == Style.ASYNC
                        // A timed-out JoinHandle is cancelled, which closes the task's socket.
                        ? loop.timeout(loop.spawn(() -> asyncTask(loop)), timeout)
                        : runtime.spawnVirtual(() -> virtualTask(loop));
                task.whenComplete((response, error) -> {
                    record(response, error);
                    finished.countDown();
                });
            }
            // Generous overall bound: every task has its own timeout, this only stops a hang.
            long deadline = Saturating.add(Saturating.deadline(timeout), TimeUnit.SECONDS.toNanos(30));
            while (!finished.await(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                progress.update();
            }
            progress.finish();
            jvmThreads = ProcessStats.jvmThreads();
            // Async: the threads seen running the continuations. Virtual: the loops doing the I/O.
            loops = style == Style.ASYNC ? loopThreads.size() : runtime.loops().size();
        }
        long end = done.get() == tasks ? lastDoneNanos.get() : System.nanoTime();
        if (done.get() < tasks) {
            firstError.compareAndSet(null, (tasks - done.get()) + " tasks never finished");
        }
        return new Summary(tasks, successes.get(), firstError.get(), Duration.ofNanos(end - start), target.delay(),
                style.name().toLowerCase(java.util.Locale.ROOT), backend.id(), loops, carrierThreads.size(),
                jvmThreads, ProcessStats.peakMemory());
    }

    private void record(RawResponse response, Throwable error) {
        if (error == null && response.ok()) {
            successes.incrementAndGet();
        } else {
            firstError.compareAndSet(null, error != null ? Pollen.describe(error) : response.problem());
        }
        lastDoneNanos.set(System.nanoTime());
        done.incrementAndGet();
    }

    // ---- async style: continuations on the loop thread ----

    private CompletableFuture<RawResponse> asyncTask(EventLoop loop) {
        return AsyncTcpStream.connect(loop, target.address(), timeout).thenCompose(stream -> {
            Reader reader = new Reader(stream);
            return stream.writeAll(ByteBuffer.wrap(request))
                    .thenCompose(sent -> reader.readToEnd())
                    .whenComplete((r, e) -> stream.close());
        }).whenComplete((r, e) -> loopThreads.add(Thread.currentThread().getName())); // who resumed it last
    }

    /** Reads until end of stream without recursing when reads complete at once. */
    private static final class Reader {
        private final AsyncTcpStream stream;
        private final CompletableFuture<RawResponse> result = new CompletableFuture<>();
        private byte[] bytes = new byte[1024];
        private int length;
        private ByteBuffer window;

        Reader(AsyncTcpStream stream) {
            this.stream = stream;
        }

        CompletableFuture<RawResponse> readToEnd() {
            step();
            return result;
        }

        private void step() {
            while (true) {
                CompletableFuture<Integer> read = stream.read(window());
                if (!read.isDone()) {
                    read.whenComplete((n, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else if (!consumed(n)) {
                            step();
                        }
                    });
                    return;
                }
                if (read.isCompletedExceptionally() || consumed(read.join())) {
                    read.whenComplete((n, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        }
                    });
                    return;
                }
            }
        }

        /** Accounts for a finished read; true when the response is complete (end of stream). */
        private boolean consumed(int n) {
            if (n < 0) {
                result.complete(RawResponse.parse(bytes, length));
                return true;
            }
            length += n;
            return false;
        }

        private ByteBuffer window() {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            window = ByteBuffer.wrap(bytes, length, bytes.length - length);
            return window;
        }
    }

    // ---- virtual style: blocking calls that park a virtual thread ----

    private RawResponse virtualTask(EventLoop loop) throws Exception {
        noteCarrier();
        long deadline = Saturating.deadline(timeout);
        AsyncTcpStream stream = await(AsyncTcpStream.connect(loop, target.address(), timeout), deadline);
        try {
            await(stream.writeAll(ByteBuffer.wrap(request)), deadline);
            byte[] bytes = new byte[1024];
            int length = 0;
            while (true) {
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, bytes.length * 2);
                }
                int n = await(stream.read(ByteBuffer.wrap(bytes, length, bytes.length - length)), deadline);
                noteCarrier();
                if (n < 0) {
                    return RawResponse.parse(bytes, length);
                }
                length += n;
            }
        } finally {
            stream.close();
        }
    }

    /** Parks this virtual thread until {@code f} completes or the task's deadline passes. */
    private static <T> T await(CompletableFuture<T> f, long deadlineNanos) throws Exception {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new java.util.concurrent.TimeoutException("task timed out");
        }
        try {
            return f.get(left, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    /**
     * Remembers which platform thread carries this virtual thread. {@code toString()} of a mounted
     * virtual thread ends with {@code @<carrier name>}, the only public way to see it.
     */
    private void noteCarrier() {
        String s = Thread.currentThread().toString();
        int at = s.lastIndexOf('@');
        if (Thread.currentThread().isVirtual() && at >= 0) {
            carrierThreads.add(s.substring(at + 1));
        }
    }
}
