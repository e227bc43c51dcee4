package io.pollen.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@link HttpClient}'s idle connections, by pool key (scheme, host and port): at most
 * {@code maxIdlePerHost} per key, the oldest closed first, none reused after {@code idleTimeout}
 * or once it is no longer usable (the server closed it). Loop thread only.
 */
final class ClientPool {
    private final Map<String, ArrayDeque<ClientConnection>> idle = new HashMap<>();
    private final long idleTimeoutNanos;
    private final int maxIdlePerHost;

    ClientPool(Duration idleTimeout, int maxIdlePerHost) {
        this.idleTimeoutNanos = RequestDeadline.nanos(idleTimeout);
        this.maxIdlePerHost = maxIdlePerHost;
    }

    /** The most recently used live connection for {@code key}, or null; stale ones met on the way are closed. */
    ClientConnection take(String key) {
        ArrayDeque<ClientConnection> q = idle.get(key);
        if (q == null) {
            return null;
        }
        long now = System.nanoTime();
        ClientConnection c;
        while ((c = q.pollLast()) != null) {
            if (now - c.idleSince < idleTimeoutNanos && c.stillUsable()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    /** Keeps {@code c} for reuse (or closes it when the pool keeps none). */
    void give(ClientConnection c) {
        if (maxIdlePerHost == 0) {
            c.close();
            return;
        }
        ArrayDeque<ClientConnection> q = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerHost) {
            q.pollFirst().close(); // the oldest goes
        }
        c.idleSince = System.nanoTime();
        q.addLast(c);
    }

    /** Idle connections kept now. */
    int size() {
        return idle.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** Closes every idle connection. */
    void closeAll() {
        for (ArrayDeque<ClientConnection> q : idle.values()) {
            q.forEach(ClientConnection::close);
        }
        idle.clear();
    }
}
