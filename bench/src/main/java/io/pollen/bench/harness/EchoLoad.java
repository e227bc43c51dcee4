package io.pollen.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The TCP echo load generator: ONE thread, non-blocking java.nio, {@code --conns} connections,
 * each keeping {@code --depth} messages of {@code --size} bytes in flight (depth 1 is ping-pong;
 * depth 16 is pipelined). Whenever echoes come back the connection tops itself up to the depth
 * with one batched write, so the server always sees {@code depth} messages per connection.
 *
 * <p>Latency is from the moment a message's batch was written to the moment its last echoed
 * byte was read, recorded in an HdrHistogram (1 µs..60 s, 3 digits). Each message starts with
 * its sequence number's low byte, and the generator checks it on return, so a server that loses
 * or reorders bytes is caught (reported as {@code errors}).
 *
 * <p>Runs as its own JVM, started by the harness (pinned to the generator core when there is
 * one). It warms up for {@code --warmup} seconds, measures for {@code --duration} seconds and
 * prints one JSON object on standard output: messages/s, p50/p99/p999 in µs and the share of one
 * core its whole process used during the measurement (JIT and GC threads included).
 *
 * <pre>EchoLoad --port P | --unix PATH [--conns 100] [--depths 1,16] [--size 32] [--warmup 2] [--duration 5]</pre>
 *
 * <p>{@code --unix PATH} drives the same load over Unix domain stream sockets instead of TCP loopback.
 *
 * <p>With several depths it prints one JSON line per depth, in order.
 */
public final class EchoLoad {

    private final int depth;
    private final int size;
    private final byte[] batch;
    private final ByteBuffer readBuf = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer writeBuf = ByteBuffer.allocateDirect(64 * 1024);
    private final Histogram histogram = new Histogram(1, 60_000_000_000L, 3);
    private long messages;
    private long errors;
    private boolean recording;

    /** One connection: a ring of send timestamps, one per message in flight. */
    private static final class Conn {
        final SocketChannel ch;
        final long[] sentAt;
        int head;         // ring index of the oldest message in flight
        int inFlight;
        long nextSeq;     // sequence number of the next message to send
        long recvSeq;     // sequence number of the oldest message in flight
        int partial;      // bytes of the oldest message already received
        ByteBuffer unsent; // bytes the socket did not take (rare)

        Conn(SocketChannel ch, int depth) {
            this.ch = ch;
            this.sentAt = new long[depth];
        }
    }

    private EchoLoad(int depth, int size) {
        this.depth = depth;
        this.size = size;
        this.batch = new byte[depth * size];
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        int port = a.intValue("port", -1);
        String unix = a.value("unix", null);
        int conns = a.intValue("conns", 100);
        int size = a.intValue("size", 32);
        double warmup = a.doubleValue("warmup", 2);
        double duration = a.doubleValue("duration", 5);
        if (port <= 0 && unix == null) throw new IllegalArgumentException("--port or --unix is required");
        SocketAddress target = unix != null ? UnixDomainSocketAddress.of(unix) : new InetSocketAddress("127.0.0.1", port);
        // Several depths run one after the other in this JVM, each on fresh connections.
        for (String depth : a.value("depths", a.value("depth", "16")).split(",")) {
            new EchoLoad(Integer.parseInt(depth.trim()), size).run(target, conns, warmup, duration);
        }
    }

    private void run(SocketAddress addr, int connCount, double warmup, double duration) throws IOException {
        try (Selector selector = Selector.open()) {
            Conn[] conns = new Conn[connCount];
            for (int i = 0; i < connCount; i++) {
                SocketChannel ch = SocketChannel.open(addr); // blocking connect, then non-blocking use
                if (addr instanceof InetSocketAddress) ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                conns[i] = new Conn(ch, depth);
                ch.register(selector, SelectionKey.OP_READ, conns[i]);
            }
            for (Conn c : conns) topUp(c, System.nanoTime());

            long start = System.nanoTime();
            long measureStart = start + (long) (warmup * 1e9);
            long end = measureStart + (long) (duration * 1e9);
            long cpuStart = 0;
            long now = start;
            while (now < end) {
                if (!recording && now >= measureStart) {
                    recording = true;
                    messages = 0;
                    histogram.reset();
                    cpuStart = ProcStat.selfCpuNanos();
                    measureStart = now;
                }
                selector.select(100);
                now = System.nanoTime();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    if (key.isWritable()) flushUnsent(key, c);
                    if (key.isReadable()) onReadable(c, now);
                    if (c.unsent == null) topUp(c, now);
                    if (c.unsent != null) key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            }
            double seconds = (now - measureStart) / 1e9;
            double cpu = (ProcStat.selfCpuNanos() - cpuStart) / 1e9 / seconds;
            for (Conn c : conns) c.ch.close();
            System.out.println(String.format(Locale.ROOT,
                    "{\"depth\":%d,\"rate\":%.1f,\"messages\":%d,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
                            + "\"gen_cpu\":%.3f,\"errors\":%d,\"seconds\":%.3f}",
                    depth, messages / seconds, messages,
                    histogram.getValueAtPercentile(50) / 1e3,
                    histogram.getValueAtPercentile(99) / 1e3,
                    histogram.getValueAtPercentile(99.9) / 1e3,
                    cpu, errors, seconds));
        }
    }

    /** Reads what arrived, completing messages in order and checking their first byte. */
    private void onReadable(Conn c, long now) throws IOException {
        while (true) {
            ByteBuffer b = readBuf.clear();
            int n = c.ch.read(b);
            if (n < 0) throw new IOException("server closed an echo connection");
            if (n == 0) return;
            b.flip();
            while (b.hasRemaining()) {
                if (c.partial == 0 && b.get(b.position()) != (byte) c.recvSeq) errors++;
                int take = Math.min(size - c.partial, b.remaining());
                b.position(b.position() + take);
                c.partial += take;
                if (c.partial == size) {
                    c.partial = 0;
                    if (c.inFlight == 0) {
                        errors++; // more bytes than were sent
                        continue;
                    }
                    if (recording) {
                        histogram.recordValue(Math.max(1, now - c.sentAt[c.head]));
                        messages++;
                    }
                    c.head = (c.head + 1) % depth;
                    c.inFlight--;
                    c.recvSeq++;
                }
            }
            if (n < readBuf.capacity()) return;
        }
    }

    /** Sends as many messages as the connection is short of its depth, in one write. */
    private void topUp(Conn c, long now) throws IOException {
        int missing = depth - c.inFlight;
        if (missing == 0) return;
        ByteBuffer w = writeBuf.clear();
        for (int i = 0; i < missing; i++) {
            int slot = (c.head + c.inFlight) % depth;
            c.sentAt[slot] = now;
            c.inFlight++;
            batch[i * size] = (byte) c.nextSeq++;
            w.put(batch, i * size, size);
        }
        w.flip();
        c.ch.write(w);
        if (w.hasRemaining()) {
            c.unsent = ByteBuffer.allocate(w.remaining()).put(w).flip();
        }
    }

    private void flushUnsent(SelectionKey key, Conn c) throws IOException {
        c.ch.write(c.unsent);
        if (!c.unsent.hasRemaining()) {
            c.unsent = null;
            key.interestOps(SelectionKey.OP_READ);
        }
    }
}
