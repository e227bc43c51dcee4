package io.pollen.testing;

import io.pollen.poll.Events;
import io.pollen.poll.Poll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Event assertions that tolerate what the contract allows: spurious events, and one readiness
 * reported as one combined event or several. {@link #expect} polls a few times and matches the
 * union of what it saw, per token; {@link #expectNone} polls for a while and fails on any event
 * for the tokens it watches.
 *
 * <pre>{@code
 * PollAssert.expect(poll, events, Want.readable(CLIENT), Want.writable(SERVER));
 * PollAssert.expectNone(poll, events, Duration.ofMillis(100), CLIENT);
 * }</pre>
 */
public final class PollAssert {
    public static final int READABLE = 1;
    public static final int WRITABLE = 2;
    public static final int ERROR = 4;
    public static final int READ_CLOSED = 8;
    public static final int WRITE_CLOSED = 16;

    /** How long {@link #expect} keeps polling before it fails. */
    public static final Duration PATIENCE = Duration.ofSeconds(10);

    private PollAssert() {
    }

    /** One expectation: events for {@code token} that together show all of {@code flags}. */
    public record Want(long token, int flags) {
        public static Want readable(long token) {
            return new Want(token, READABLE);
        }

        public static Want writable(long token) {
            return new Want(token, WRITABLE);
        }

        public static Want any(long token) {
            return new Want(token, 0);
        }

        public Want and(int more) {
            return new Want(token, flags | more);
        }
    }

    /**
     * Polls until every {@link Want} is met (the union of its token's flags covers the wanted
     * ones) or {@link #PATIENCE} runs out. Returns the union of flags seen per token.
     */
    public static Map<Long, Integer> expect(Poll poll, Events events, Want... wants) {
        Map<Long, Integer> seen = new LinkedHashMap<>();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!met(seen, wants)) {
            if (System.nanoTime() > deadline) {
                fail("expected " + Arrays.toString(wants) + " but saw " + describe(seen));
            }
            pollInto(poll, events, Duration.ofMillis(100), seen);
        }
        return seen;
    }

    /** Polls for {@code window}; fails if an event shows up for one of {@code tokens}. */
    public static Map<Long, Integer> expectNone(Poll poll, Events events, Duration window, long... tokens) {
        long[] watched = tokens.clone();
        return expectNone(poll, events, window, t -> Arrays.stream(watched).anyMatch(w -> w == t));
    }

    /** Polls for {@code window}; fails if any event shows up at all. */
    public static void expectNoEvents(Poll poll, Events events, Duration window) {
        expectNone(poll, events, window, t -> true);
    }

    /** Polls for {@code window}; fails on an event whose token matches {@code watched}. */
    public static Map<Long, Integer> expectNone(Poll poll, Events events, Duration window, LongPredicate watched) {
        Map<Long, Integer> seen = new LinkedHashMap<>();
        long deadline = System.nanoTime() + window.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            pollInto(poll, events, Duration.ofNanos(left), seen);
            for (long token : seen.keySet()) {
                if (watched.test(token)) {
                    fail("expected no event for token " + token + " but saw " + describe(seen));
                }
            }
        }
        return seen;
    }

    /** One poll, its events merged into {@code seen}. */
    public static void pollInto(Poll poll, Events events, Duration timeout, Map<Long, Integer> seen) {
        try {
            poll.poll(events, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < events.size(); i++) {
            seen.merge(events.token(i), flags(events, i), (a, b) -> a | b);
        }
    }

    public static int flags(Events events, int i) {
        return (events.isReadable(i) ? READABLE : 0) | (events.isWritable(i) ? WRITABLE : 0)
                | (events.isError(i) ? ERROR : 0) | (events.isReadClosed(i) ? READ_CLOSED : 0)
                | (events.isWriteClosed(i) ? WRITE_CLOSED : 0);
    }

    private static boolean met(Map<Long, Integer> seen, Want[] wants) {
        for (Want w : wants) {
            Integer f = seen.get(w.token());
            if (f == null || (f & w.flags()) != w.flags()) {
                return false;
            }
        }
        return true;
    }

    public static String describe(Map<Long, Integer> seen) {
        StringBuilder sb = new StringBuilder("{");
        seen.forEach((token, f) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(token).append('=').append(describe(f));
        });
        return sb.append('}').toString();
    }

    public static String describe(int f) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"R", "W", "ERR", "RCLOSED", "WCLOSED"};
        for (int bit = 0; bit < names.length; bit++) {
            if ((f & (1 << bit)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[bit]);
            }
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    /**
     * Starts a thread that polls {@code poll} without a timeout until an event arrives, and returns
     * once that thread is about to poll. The future yields the first event's token; it completes
     * exceptionally if the poll throws (e.g. the Poll was closed).
     */
    public static CompletableFuture<Long> blockedPoller(Poll poll) throws InterruptedException {
        CountDownLatch polling = new CountDownLatch(1);
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(() -> {
            Events events = Events.withCapacity(4);
            polling.countDown();
            try {
                int n;
                do {
                    n = poll.poll(events, null);
                } while (n == 0);
                return events.token(0);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        polling.await();
        return f;
    }
}
