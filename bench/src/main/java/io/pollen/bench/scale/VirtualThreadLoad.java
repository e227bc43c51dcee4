package io.pollen.bench.scale;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One virtual thread per request, each with a blocking {@link java.net.Socket}: connect, write the
 * chapter's request ({@code Connection: close}), read until the server closes, check the status
 * line. The JDK parks each virtual thread on its socket and unparks it from its own poller, so
 * this is the "just write blocking code" baseline.
 */
final class VirtualThreadLoad implements LoadClient {

    private static byte[] request(InetSocketAddress server, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + ":" + server.getPort()
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void warmUp(InetSocketAddress server) throws Exception {
        Outcome one = new Outcome(1);
        byte[] request = request(server, WARM_UP_PATH);
        Thread.ofVirtual().start(() -> {
            try {
                exchange(server, request, one, System.nanoTime());
            } catch (IOException | RuntimeException e) {
                one.failure(e);
            }
        }).join();
        if (one.ok.get() != 1) {
            throw new IllegalStateException("warm-up failed", one.firstFailure.get());
        }
    }

    @Override
    public void run(InetSocketAddress server, String path, Outcome outcome) throws InterruptedException {
        byte[] request = request(server, path);
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < outcome.requests; i++) {
                long start = System.nanoTime();
                vts.execute(() -> {
                    try {
                        exchange(server, request, outcome, start);
                    } catch (IOException | RuntimeException e) {
                        outcome.failure(e);
                    }
                });
            }
        } // close() waits for every virtual thread to finish
    }

    private static void exchange(InetSocketAddress server, byte[] request, Outcome outcome, long start)
            throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(60_000);
            s.connect(server, 30_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int total = 0;
            byte[] head = new byte[12];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (total < head.length) {
                    System.arraycopy(buf, 0, head, total, Math.min(n, head.length - total));
                }
                total += n;
            }
            String status = new String(head, 0, Math.min(total, head.length), StandardCharsets.US_ASCII);
            if (status.startsWith("HTTP/1.1 200")) {
                outcome.success(start);
            } else {
                outcome.failure("unexpected answer '" + status + "' (" + total + " bytes)");
            }
        }
    }
}
