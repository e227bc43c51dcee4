package io.pollen.http;

import io.pollen.net.Shutdown;
import io.pollen.net.TcpStream;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.LastResort;
import io.pollen.runtime.TimerHandle;
import io.pollen.sys.NativeIOException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * What one {@link ServerLoop} does when {@code accept} fails, above all for want of file
 * descriptors ({@code EMFILE}/{@code ENFILE}). Everything here runs on the loop's thread.
 *
 * <p>An <em>episode</em> starts with a failed accept and ends with the next successful one. In an
 * episode:
 * <ul>
 *   <li><b>A reserve descriptor</b> (an open {@code /dev/null}, held for this purpose) is closed
 *       to make room, one queued client is accepted, answered {@code 503} with
 *       {@code Connection: close} and closed, and the reserve re-opened — again until the accept
 *       queue is empty. So a client that connects while the process is out of descriptors is told
 *       so at once, instead of waiting in the kernel's queue for as long as the exhaustion lasts.</li>
 *   <li><b>If clients stay queued</b> (the reserve could not be re-opened, another failure than
 *       exhaustion, or a flood), accepting <em>pauses</em>: listener events are ignored — no spin
 *       — and accept is retried on a timer backing off from 10 ms to 1 s, and at once when a
 *       connection of this loop closes (that frees a descriptor).</li>
 *   <li><b>One warning</b>, at the start; episodes that follow within 10 s of a warning are counted
 *       and mentioned in the next one instead. Reporting goes through {@link LastResort}: logging
 *       at {@code EMFILE} can fail, and must not take the loop with it.</li>
 * </ul>
 */
final class AcceptGuard {
    /** The listener's accept, or a test's stand-in for it. */
    @FunctionalInterface
    interface Acceptor {
        TcpStream accept() throws IOException;
    }

    private static final System.Logger LOG = System.getLogger("io.pollen.http");
    private static final long MIN_BACKOFF_NANOS = 10_000_000L;
    private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;
    private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;
    /** Clients refused per failed accept before pausing: bounds the work one event can cause. */
    private static final int MAX_SHED = 64;
    private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 20\r\nConnection: close\r\n\r\nService Unavailable\n").getBytes(StandardCharsets.US_ASCII);

    static {
        // Loaded now, not at EMFILE, when loading a class from a directory on the class path fails.
        LastResort.preload();
        NativeIOException.isResourceExhaustion(new NativeIOException("accept", 24, "EMFILE", ""));
        Shutdown.WRITE.ordinal();
    }

    private final EventLoop loop;
    private final Runnable accept;
    private final Runnable retryNow = this::retry;
    private final ByteBuffer refusal = ByteBuffer.allocateDirect(REFUSAL.length).put(REFUSAL).flip();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
    private FileChannel reserve;
    private boolean paused;
    private boolean inEpisode;
    private long lastWarning;
    private int unwarnedEpisodes;
    private volatile int warnings; // read by tests off the loop
    private long backoffNanos = MIN_BACKOFF_NANOS;
    private TimerHandle retryTimer;
    private boolean retryQueued;
    private boolean closed;

    /** @param accept the loop's accept pass, run again when a retry is due */
    AcceptGuard(EventLoop loop, Runnable accept) {
        this.loop = loop;
        this.accept = accept;
        openReserve();
    }

    /** Whether accepting waits for a retry (listener events are then ignored). */
    boolean paused() {
        return paused;
    }

    /** A connection was accepted: an episode, if any, is over. */
    void accepted() {
        if (inEpisode) {
            inEpisode = false;
            backoffNanos = MIN_BACKOFF_NANOS;
            if (reserve == null) {
                openReserve();
            }
        }
    }

    /** {@code accept} threw {@code e}: refuse what is queued if it is exhaustion, else pause. */
    void failed(IOException e, Acceptor acceptor, Object listener) {
        if (!inEpisode) {
            inEpisode = true;
            warn(e, listener);
        }
        if (NativeIOException.isResourceExhaustion(e) && shed(acceptor)) {
            return; // the queue is empty; the next arrival raises an event again
        }
        pause();
    }

    /** A connection of this loop closed: a descriptor is free, so a paused accept retries now. */
    void connectionClosed() {
        if (paused && !retryQueued && !closed) {
            retryQueued = true;
            try {
                loop.execute(retryNow); // not inline: the close may come from inside a connection's handler
            } catch (RejectedExecutionException closing) {
                retryQueued = false; // the loop is closing: nothing left to accept for
            }
        }
    }

    /** Stops retrying and closes the reserve; on server close. */
    void close() {
        closed = true;
        paused = false;
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        closeReserve();
    }

    /** Warnings given so far (tests: one per episode). */
    int warnings() {
        return warnings;
    }

    /**
     * Frees the reserve descriptor to accept one queued client, refuses it, re-opens the reserve;
     * repeats while clients are queued. True if accept said none is left.
     */
    private boolean shed(Acceptor acceptor) {
        for (int i = 0; i < MAX_SHED && reserve != null; i++) {
            closeReserve();
            TcpStream s;
            try {
                s = acceptor.accept();
            } catch (Throwable again) {
                openReserve(); // the freed descriptor went elsewhere, or another failure: pause
                return false;
            }
            if (s != null) {
                refuseNow(s);
            }
            openReserve();
            if (s == null) {
                return true;
            }
        }
        return false;
    }

    /** Writes the canned 503 and closes at once; a client that sent its request first may see a reset. */
    void refuseNow(TcpStream s) {
        try {
            s.write(refusal.clear());
            s.shutdown(Shutdown.WRITE);
            // Read what already arrived: closing with unread input would send a reset instead of
            // the FIN after the answer.
            for (int i = 0; i < 4 && s.read(scratch.clear()) > 0; i++) {
                // dropped
            }
        } catch (Throwable e) {
            // refused either way
        } finally {
            try {
                s.close();
            } catch (Throwable ignored) {
                // the descriptor is released either way
            }
        }
    }

    private void pause() {
        paused = true;
        if (retryTimer != null || closed) {
            return;
        }
        long delay = backoffNanos;
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        retryTimer = loop.schedule(Duration.ofNanos(delay), retryNow);
    }

    private void retry() {
        retryQueued = false;
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        if (closed || !paused) {
            return;
        }
        paused = false;
        if (reserve == null) {
            openReserve();
        }
        accept.run();
    }

    private void warn(IOException e, Object listener) {
        long now = System.nanoTime();
        if (lastWarning != 0 && now - lastWarning < WARNING_INTERVAL_NANOS) {
            unwarnedEpisodes++;
            return;
        }
        lastWarning = now;
        warnings++;
        int earlier = unwarnedEpisodes;
        unwarnedEpisodes = 0;
        String message;
        try {
            message = "accept failed; pausing it: queued clients get 503 through a reserve descriptor,"
                    + " accepting retries every 10 ms..1 s and when a connection closes, and resumes by itself"
                    + (earlier > 0 ? " (" + earlier + " more episodes since the last warning)" : "") + ": ";
        } catch (Throwable t) {
            message = "accept failed; pausing it: ";
        }
        LastResort.warn(LOG, message, listener, e);
    }

    private void openReserve() {
        try {
            reserve = FileChannel.open(Path.of("/dev/null"));
        } catch (Throwable e) {
            reserve = null; // no descriptor free (or no /dev/null): tried again at the next retry
        }
    }

    private void closeReserve() {
        FileChannel r = reserve;
        reserve = null;
        if (r != null) {
            try {
                r.close();
            } catch (Throwable ignored) {
                // released either way
            }
        }
    }
}
