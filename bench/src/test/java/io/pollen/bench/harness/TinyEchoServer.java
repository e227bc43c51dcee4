package io.pollen.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A blocking test server for {@code echo_load} on 127.0.0.1 (or a Unix socket): one platform
 * thread accepts, one virtual thread per connection serves it as its {@link Mode} says. Closing
 * it closes the listener and every connection and waits for the threads.
 */
final class TinyEchoServer implements AutoCloseable {

    enum Mode {
        /** Echoes every byte. */
        ECHO,
        /** Echoes with the first byte of every read inverted: the generator must count errors. */
        CORRUPT,
        /** Closes every connection as soon as it is accepted. */
        CLOSE,
        /** Accepts and never reads: the generator must still end on time. */
        STALL
    }

    private final ServerSocketChannel listener;
    private final Mode mode;
    private final Queue<SocketChannel> conns = new ConcurrentLinkedQueue<>();
    private final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
    private final Thread acceptor;
    private final SocketAddress bound;

    private TinyEchoServer(ServerSocketChannel listener, SocketAddress bind, Mode mode) throws IOException {
        this.listener = listener;
        this.mode = mode;
        listener.bind(bind, 512);
        bound = listener.getLocalAddress();
        acceptor = Thread.ofPlatform().daemon().name("tiny-echo-accept").start(this::acceptLoop);
    }

    static TinyEchoServer tcp(Mode mode) throws IOException {
        return new TinyEchoServer(ServerSocketChannel.open(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), mode);
    }

    static TinyEchoServer unix(Path socket, Mode mode) throws IOException {
        return new TinyEchoServer(ServerSocketChannel.open(StandardProtocolFamily.UNIX), UnixDomainSocketAddress.of(socket), mode);
    }

    int port() {
        return ((InetSocketAddress) bound).getPort();
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel c = listener.accept();
                if (mode == Mode.CLOSE) {
                    c.close();
                    continue;
                }
                conns.add(c);
                if (mode != Mode.STALL) threads.add(Thread.ofVirtual().start(() -> serve(c)));
            }
        } catch (IOException e) {
            // the listener was closed: the server is stopping
        }
    }

    private void serve(SocketChannel c) {
        ByteBuffer b = ByteBuffer.allocate(16 * 1024);
        try {
            while (c.read(b.clear()) > 0) {
                if (mode == Mode.CORRUPT) b.put(0, (byte) ~b.get(0));
                b.flip();
                while (b.hasRemaining()) c.write(b);
            }
        } catch (IOException e) {
            // the peer or close() ended the connection
        } finally {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        acceptor.join();
        for (SocketChannel c : conns) c.close();
        for (Thread t : threads) t.join();
        if (bound instanceof UnixDomainSocketAddress u) Files.deleteIfExists(u.getPath());
    }
}
