package io.pollen.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Reads made of many reads: {@link AsyncTcpStream#readToEnd} and {@link AsyncTcpStream#readFully}.
 * One small machine each, stepping iteratively while reads complete at once (no stack growth when
 * the data is already there) and resuming from the read's completion when it is not.
 */
final class StreamReads {
    private StreamReads() {
    }

    static CompletableFuture<byte[]> toEnd(AsyncTcpStream stream, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
        }
        ToEnd r = new ToEnd(stream, maxBytes);
        r.step();
        return r.result;
    }

    static CompletableFuture<Integer> fully(AsyncTcpStream stream, ByteBuffer dst) {
        Fully r = new Fully(stream, dst);
        r.step();
        return r.result;
    }

    /** Reads into {@link #window()} until {@link #consumed} says the whole read is done. */
    private abstract static class Steps<T> {
        final AsyncTcpStream stream;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Steps(AsyncTcpStream stream) {
            this.stream = stream;
        }

        /** Where the next read goes. */
        abstract ByteBuffer window();

        /** Accounts for one read of {@code n} ({@code -1}: end of stream); true when done. */
        abstract boolean consumed(int n);

        final void step() {
            while (!result.isDone()) {
                CompletableFuture<Integer> read;
                try {
                    read = stream.read(window());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                }
                if (!read.isDone()) {
                    read.whenComplete((n, e) -> {
                        if (e != null) {
                            result.completeExceptionally(Completions.unwrap(e));
                        } else if (!consumed(n)) {
                            step();
                        }
                    });
                    return;
                }
                if (read.isCompletedExceptionally()) {
                    read.whenComplete((n, e) -> result.completeExceptionally(Completions.unwrap(e)));
                    return;
                }
                if (consumed(read.join())) {
                    return;
                }
            }
        }
    }

    private static final class ToEnd extends Steps<byte[]> {
        final int max;
        byte[] bytes = new byte[1024];
        int length;

        ToEnd(AsyncTcpStream stream, int max) {
            super(stream);
            this.max = max;
        }

        @Override
        ByteBuffer window() {
            // Room for one byte past the limit, so that a stream longer than it is noticed.
            long cap = Math.min((long) max + 1, Integer.MAX_VALUE - 8); // the largest array there is
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min((long) bytes.length * 2, cap));
            }
            return ByteBuffer.wrap(bytes, length, (int) Math.min(bytes.length, cap) - length);
        }

        @Override
        boolean consumed(int n) {
            if (n < 0) {
                result.complete(Arrays.copyOf(bytes, length));
                return true;
            }
            length += n;
            if (length > max || (n == 0 && length == bytes.length)) { // past the limit, or the largest array
                result.completeExceptionally(new IOException("the stream is longer than the " + max
                        + " bytes readToEnd was allowed to buffer"));
                return true;
            }
            return false;
        }
    }

    private static final class Fully extends Steps<Integer> {
        final ByteBuffer dst;
        final int start;

        Fully(AsyncTcpStream stream, ByteBuffer dst) {
            super(stream);
            this.dst = dst;
            this.start = dst.position();
        }

        @Override
        ByteBuffer window() {
            return dst;
        }

        @Override
        boolean consumed(int n) {
            int got = dst.position() - start;
            if (n < 0 || !dst.hasRemaining()) {
                result.complete(n < 0 && got == 0 ? -1 : got);
                return true;
            }
            return false;
        }
    }
}
