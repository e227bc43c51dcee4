package io.pollen.net;

import io.pollen.net.spi.PipeImpl;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * An unnamed, one-way pipe whose two ends register with a {@link io.pollen.poll.Poll}; mio's
 * {@code pipe::new()}. What is written to the {@link Sender} is read from the {@link Receiver}, in
 * order. Useful to hand bytes (or wake-ups) between threads, or to a child process.
 *
 * <ul>
 *   <li>Native backends: {@code pipe2(O_NONBLOCK | O_CLOEXEC)}: both ends non-blocking and not
 *       inherited by child processes. NIO: a {@link java.nio.channels.Pipe} (on Linux also a pipe,
 *       but its fds are the JDK's).</li>
 *   <li>Nothing blocks: reads return {@code -1} once the sender is closed and the pipe drained,
 *       {@code 0} when they would block; writes return {@code 0} when the pipe is full (64 KiB on
 *       Linux by default). Readiness is edge-triggered.</li>
 *   <li>Closing the receiver makes the sender's writes fail: {@code write failed: EPIPE} on the
 *       native backends (never a {@code SIGPIPE}: the JVM ignores it), an {@link IOException}
 *       ("Broken pipe") on nio. On epoll the sender also gets an error event.</li>
 *   <li>Writes of at most {@code PIPE_BUF} (4096 bytes on Linux) are atomic.</li>
 * </ul>
 * Close each end once you are done with it (deregister first); the ends are independent.
 */
public final class Pipe {
    private final Sender sender;
    private final Receiver receiver;

    private Pipe(Sender sender, Receiver receiver) {
        this.sender = sender;
        this.receiver = receiver;
    }

    /** A pipe for Polls of {@link Backend#select()}. */
    public static Pipe open() throws IOException {
        return open(Backend.select());
    }

    /** A pipe whose ends register with Polls of {@code backend}. */
    public static Pipe open(Backend backend) throws IOException {
        Objects.requireNonNull(backend, "backend");
        PipeImpl[] ends = Sockets.factory(backend).pipe();
        return new Pipe(new Sender(ends[1], backend), new Receiver(ends[0], backend));
    }

    /** The write end. */
    public Sender sender() {
        return sender;
    }

    /** The read end. */
    public Receiver receiver() {
        return receiver;
    }

    /** The write end of a {@link Pipe}. Not thread-safe. */
    public static final class Sender extends NetSource<PipeImpl> {
        Sender(PipeImpl impl, Backend backend) {
            super("Pipe.Sender", impl, backend);
        }

        /** Writes from {@code src}: bytes written, {@code 0} if the pipe is full. */
        public int write(ByteBuffer src) throws IOException {
            return impl.write(src);
        }

        /** Gathering write ({@code writev}); same convention. */
        public long write(ByteBuffer[] srcs) throws IOException {
            return impl.write(srcs, 0, srcs.length);
        }
    }

    /** The read end of a {@link Pipe}. Not thread-safe. */
    public static final class Receiver extends NetSource<PipeImpl> {
        Receiver(PipeImpl impl, Backend backend) {
            super("Pipe.Receiver", impl, backend);
        }

        /** Reads into {@code dst}: bytes read, {@code -1} once the sender closed, {@code 0} if it would block. */
        public int read(ByteBuffer dst) throws IOException {
            return impl.read(dst);
        }

        /** Scattering read ({@code readv}); same convention. */
        public long read(ByteBuffer[] dsts) throws IOException {
            return impl.read(dsts, 0, dsts.length);
        }
    }
}
