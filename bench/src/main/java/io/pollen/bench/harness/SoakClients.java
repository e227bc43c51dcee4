package io.pollen.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak run's hostile clients, written with blocking JDK sockets on virtual threads so that
 * they cost the generator side little and behave exactly as scripted.
 *
 * <ul>
 *   <li>{@link #slowloris}: connections that send a request head one byte every few seconds and
 *       never finish it. A server that bounds the time for a whole request cuts them (408 or a
 *       close); each cut connection is replaced, so the pressure stays on.</li>
 *   <li>{@link #hangUps}: connections that send {@code GET /delay/30000/...} and close at once,
 *       alternately with a FIN and with a reset (SO_LINGER 0). A server that notices the hang-up
 *       frees the connection at once instead of holding it for the handler's 30 s.</li>
 * </ul>
 * Both run until their deadline and stop by themselves; they only target the given loopback port.
 */
final class SoakClients {

    /** What the hostile clients did, for the report. */
    static final class Counts {
        final AtomicLong opened = new AtomicLong();
        final AtomicLong cutByServer = new AtomicLong();
        final AtomicLong hungUp = new AtomicLong();
        final AtomicLong failedToConnect = new AtomicLong();
    }

    private static final byte[] SLOW_HEAD =
            "GET /plaintext HTTP/1.1\r\nHost: soak\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELAY_REQUEST =
            "GET /delay/30000/soak HTTP/1.1\r\nHost: soak\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private SoakClients() {}

    /** {@code connections} slow-header clients until {@code deadlineNanos}; blocks until they end. */
    static void slowloris(int port, int connections, long byteIntervalMillis, long deadlineNanos, Counts counts)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < deadlineNanos) {
                    trickle(port, byteIntervalMillis, deadlineNanos, counts);
                }
            }));
        }
        for (Thread t : threads) t.join();
    }

    private static void trickle(int port, long intervalMillis, long deadlineNanos, Counts counts) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            counts.opened.incrementAndGet();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            int i = 0;
            while (System.nanoTime() < deadlineNanos) {
                out.write(SLOW_HEAD[i++ % SLOW_HEAD.length]);
                out.flush();
                // Between bytes, watch for the server's answer (408) or close.
                s.setSoTimeout((int) Math.max(1, intervalMillis));
                try {
                    if (in.read() < 0) {
                        counts.cutByServer.incrementAndGet();
                        return;
                    }
                    counts.cutByServer.incrementAndGet(); // an answer to a request never finished: a 408
                    return;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // the server is still waiting for us: keep trickling
                }
            }
        } catch (IOException e) {
            if (System.nanoTime() < deadlineNanos) counts.cutByServer.incrementAndGet(); // reset by the server
            pause(50);
        }
    }

    /** Hang-up clients at about {@code perSecond} until {@code deadlineNanos}; blocks until done. */
    static void hangUps(int port, int perSecond, long deadlineNanos, Counts counts) throws InterruptedException {
        long intervalNanos = 1_000_000_000L / Math.max(1, perSecond);
        long next = System.nanoTime();
        boolean reset = false;
        List<Thread> inFlight = new ArrayList<>();
        while (System.nanoTime() < deadlineNanos) {
            boolean rst = reset;
            reset = !reset;
            inFlight.add(Thread.ofVirtual().start(() -> hangUp(port, rst, counts)));
            if (inFlight.size() >= 256) {
                for (Thread t : inFlight) t.join();
                inFlight.clear();
            }
            next += intervalNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
        for (Thread t : inFlight) t.join();
    }

    private static void hangUp(int port, boolean reset, Counts counts) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            counts.opened.incrementAndGet();
            s.getOutputStream().write(DELAY_REQUEST);
            s.getOutputStream().flush();
            pause(20); // let the server start the handler
            if (reset) s.setSoLinger(true, 0);
            counts.hungUp.incrementAndGet();
        } catch (IOException e) {
            counts.failedToConnect.incrementAndGet();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
