package io.pollen.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Holds {@code --count} idle keep-alive HTTP connections open to a server for the scale run.
 *
 * <p>Each connection sends one {@code GET /plaintext} and reads the whole response, so the
 * server has really accepted and served it (not merely left it in its accept queue); then it
 * stays open and silent. At most {@code --parallel} connections are being set up at once, so
 * the listen backlog never overflows. When all are served it prints {@code HELD n} and waits
 * until its standard input closes, then resets every connection ({@code SO_LINGER 0}, so no
 * TIME_WAIT is left to exhaust ephemeral ports across rounds) and exits.
 *
 * <pre>IdleConnections --port P --count 10000 [--parallel 256]</pre>
 */
public final class IdleConnections {

    private static final byte[] REQUEST =
            "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    /** Bytes received so far on one connection that is being set up. */
    private static final class Pending {
        final ByteBuffer in = ByteBuffer.allocate(1024);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Args a = Args.parse(args);
        int port = a.intValue("port", -1);
        int count = a.intValue("count", 10_000);
        int parallel = a.intValue("parallel", 256);
        if (port <= 0) throw new IllegalArgumentException("--port is required");
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
        List<SocketChannel> held = new ArrayList<>(count);
        long deadline = System.nanoTime() + 120_000_000_000L;
        try (Selector selector = Selector.open()) {
            int started = 0;
            int inProgress = 0;
            while (held.size() < count) {
                if (System.nanoTime() > deadline) throw new IOException("timed out with " + held.size() + " connections held");
                while (inProgress < parallel && started < count) {
                    SocketChannel ch = SocketChannel.open();
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                    ch.configureBlocking(false);
                    ch.connect(addr);
                    ch.register(selector, SelectionKey.OP_CONNECT, new Pending());
                    started++;
                    inProgress++;
                }
                selector.select(1000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    SocketChannel ch = (SocketChannel) key.channel();
                    if (key.isConnectable()) {
                        ch.finishConnect();
                        ch.write(ByteBuffer.wrap(REQUEST)); // 44 bytes into an empty socket buffer: all of it
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        Pending p = (Pending) key.attachment();
                        if (ch.read(p.in) < 0) throw new IOException("server closed a connection before answering");
                        if (endsWithBody(p.in)) {
                            key.cancel();
                            held.add(ch);
                            inProgress--;
                        } else if (!p.in.hasRemaining()) {
                            throw new IOException("unexpected response: " + new String(p.in.array(), StandardCharsets.US_ASCII));
                        }
                    }
                }
            }
        }
        System.out.println("HELD " + held.size());
        System.out.flush();
        // Stay idle until the harness closes our standard input.
        while (System.in.read() >= 0) {
            // ignore anything written to us
        }
        for (SocketChannel ch : held) ch.close();
    }

    private static boolean endsWithBody(ByteBuffer b) {
        int end = b.position();
        if (end < BODY.length) return false;
        for (int i = 0; i < BODY.length; i++) {
            if (b.get(end - BODY.length + i) != BODY[i]) return false;
        }
        return true;
    }
}
