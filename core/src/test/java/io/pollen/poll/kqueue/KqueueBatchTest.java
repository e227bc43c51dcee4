package io.pollen.poll.kqueue;

import io.pollen.net.TcpListener;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;
import io.pollen.poll.Event;
import io.pollen.poll.Events;
import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Token;
import io.pollen.sys.bsd.KQueue;
import io.pollen.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Many sockets ready both ways at once: each fd's two filters come back as one event, and no
 * readiness is lost when there are more kevents than room in one poll (the rest come next poll),
 * on libkqueue too, which drops what outgrows a batch and is made up for by the selector.
 */
@Timeout(60)
class KqueueBatchTest {
    static final int PAIRS = 40;

    Poll poll;
    TcpListener listener;
    final List<TcpStream> sockets = new ArrayList<>();
    boolean registered;

    @BeforeEach
    void open() throws IOException {
        assumeTrue(KQueue.AVAILABLE, () -> "kqueue: skipped — " + KQueue.unavailableReason().orElse(""));
        poll = Poll.open(Backend.KQUEUE);
        listener = TcpListener.bind(Loopback.any(), Backend.KQUEUE);
        ByteBuffer one = ByteBuffer.allocate(1);
        for (int i = 0; i < PAIRS; i++) {
            TcpStream client = TcpStream.connect(listener.localAddress(), Backend.KQUEUE);
            sockets.add(client);
            TcpStream server = Loopback.acceptWithin(listener, 10_000);
            sockets.add(server);
            // A byte each way: both ends readable and writable, so both filters fire per fd.
            assertEquals(1, client.write(one.clear()));
            assertEquals(1, server.write(one.clear()));
        }
    }

    @AfterEach
    void close() throws IOException {
        if (poll == null) {
            return;
        }
        try {
            if (registered) {
                for (TcpStream s : sockets) {
                    poll.registry().deregister(s);
                }
            }
        } finally {
            for (TcpStream s : sockets) {
                s.close();
            }
            listener.close();
            poll.close();
        }
    }

    private void registerAll() throws IOException {
        registered = true;
        for (int i = 0; i < sockets.size(); i++) {
            poll.registry().register(sockets.get(i), Token.of(i), Interest.READABLE.add(Interest.WRITABLE));
        }
    }

    /** Polls until a poll comes back empty; per token, the bits seen and how many events carried it. */
    private Map<Long, int[]> drainEvents(Events events) throws IOException {
        Map<Long, int[]> seen = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && poll.poll(events, Duration.ofMillis(100)) > 0) {
            for (Event e : events) {
                int[] s = seen.computeIfAbsent(e.token(), t -> new int[2]);
                s[0] |= (e.isReadable() ? 1 : 0) | (e.isWritable() ? 2 : 0);
                s[1]++;
            }
        }
        return seen;
    }

    @Test
    void bothFiltersOfAnFdAreOneEventAndAllAreReported() throws IOException {
        registerAll();
        // Room for every kevent in one poll (libkqueue caps a call at 512 kevents).
        Map<Long, int[]> seen = drainEvents(Events.withCapacity(4 * PAIRS));
        assertEquals(2 * PAIRS, seen.size(), "every socket reported");
        for (Map.Entry<Long, int[]> e : seen.entrySet()) {
            assertEquals(3, e.getValue()[0], "token " + e.getKey() + " readable and writable");
            assertEquals(1, e.getValue()[1], "token " + e.getKey() + ": read and write filters merged into one event");
        }
    }

    @Test
    void anEndOfStreamThatCameWithDataIsReadClosedInTheSameEvent() throws IOException {
        TcpStream client = sockets.get(0);
        TcpStream server = sockets.get(1);
        poll.registry().register(server, Token.of(1), Interest.READABLE.add(Interest.WRITABLE));
        client.shutdown(io.pollen.net.Shutdown.WRITE);   // the FIN follows the byte already queued
        Map<Long, int[]> seen = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Events events = Events.withCapacity(8);
        while ((seen.getOrDefault(1L, new int[1])[0] & 4) == 0 && System.nanoTime() < deadline) {
            poll.poll(events, Duration.ofMillis(50));
            for (Event e : events) {
                seen.computeIfAbsent(e.token(), t -> new int[1])[0] |= (e.isReadable() ? 1 : 0) | (e.isReadClosed() ? 4 : 0);
            }
        }
        // TcpStream's contract: the short read that drains the byte ends the round only because the
        // event said read-closed. libkqueue drops EPOLLRDHUP when both filters share an fd, so its
        // kevent lacks EV_EOF here; KqueueSelector makes up for it (poll(POLLRDHUP), libkqueue only).
        assertEquals(5, seen.getOrDefault(1L, new int[1])[0], "readable and read-closed");
        poll.registry().deregister(server);
    }

    @Test
    void moreKeventsThanRoomAreReportedByLaterPolls() throws IOException {
        registerAll();
        Map<Long, int[]> seen = drainEvents(Events.withCapacity(16));
        long complete = seen.values().stream().filter(s -> s[0] == 3).count();
        // On libkqueue too: its kevent() turns each epoll event of an fd with both filters into two
        // kevents and drops, for good, what outgrows the slots (linux_kevent_copyout); after such a
        // full batch KqueueSelector asks every registered fd with poll(2) and reports what was
        // missing, keeping what the events cannot hold for the next poll. Native kqueue queues it.
        assertEquals(2 * PAIRS, complete, "every socket reported readable and writable across polls");
    }
}
