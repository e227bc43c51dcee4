package io.pollen.bench.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * Competitor: one virtual thread per connection on blocking {@link java.net.ServerSocket} and
 * {@link java.net.Socket} streams, the JDK 21+ "just block" style.
 *
 * <p>Each connection has an 8 KiB input and an 8 KiB output array (what a
 * {@code BufferedInputStream}/{@code BufferedOutputStream} pair would hold); all responses for
 * what one {@code read} returned go out in one {@code write}, so pipelining costs one syscall
 * pair per batch as in the event-loop servers. {@code --loops N} sets the virtual-thread
 * scheduler's parallelism (the harness passes it as {@code -Djdk.virtualThreadScheduler.parallelism});
 * the option itself is accepted and ignored here.
 */
public final class VirtualThreadServer {

    private static final int BUF = 8 * 1024;

    public static void main(String[] args) throws IOException {
        ServerOptions opts = ServerOptions.parse(args, "vthreads");
        ServerSocket http = listen(opts.httpPort());
        ServerSocket echo = listen(opts.echoPort());
        Thread.ofVirtual().name("accept-http").start(() -> acceptLoop(http, true));
        Thread.ofVirtual().name("accept-echo").start(() -> acceptLoop(echo, false));
        ServerOptions.ready("vthreads parallelism="
                + System.getProperty("jdk.virtualThreadScheduler.parallelism", "default"));
        // Virtual threads are daemons: keep the JVM alive until the harness stops it.
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
        return s;
    }

    private static void acceptLoop(ServerSocket server, boolean http) {
        while (true) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> serve(s, http));
            } catch (IOException e) {
                e.printStackTrace();
                System.exit(1);
            }
        }
    }

    private static void serve(Socket s, boolean http) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            if (http) serveHttp(in, out);
            else serveEcho(in, out);
        } catch (IOException e) {
            // peer reset: nothing to report in a benchmark server
        }
    }

    private static void serveHttp(InputStream in, OutputStream out) throws IOException {
        byte[] inArr = new byte[BUF];
        byte[] outArr = new byte[BUF];
        ByteBuffer inBuf = ByteBuffer.wrap(inArr);
        ByteBuffer outBuf = ByteBuffer.wrap(outArr);
        int filled = 0;
        while (true) {
            int n = in.read(inArr, filled, inArr.length - filled);
            if (n < 0) return;
            filled += n;
            inBuf.limit(filled).position(0);
            int verdict;
            do {
                outBuf.clear();
                verdict = PlaintextHttp.serve(inBuf, outBuf);
                if (outBuf.position() > 0) out.write(outArr, 0, outBuf.position());
            } while (verdict == PlaintextHttp.OUT_FULL);
            if (verdict == PlaintextHttp.CLOSE) return;
            // Keep the partial head at the front for the next read.
            int left = inBuf.remaining();
            System.arraycopy(inArr, inBuf.position(), inArr, 0, left);
            filled = left;
        }
    }

    private static void serveEcho(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[BUF];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
    }
}
