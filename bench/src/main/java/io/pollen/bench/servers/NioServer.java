package io.pollen.bench.servers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Competitor: a plain {@code java.nio.channels.Selector} loop, written the way a careful NIO
 * user writes one. {@code --loops N} runs N selector threads; loop 0 accepts on both ports and
 * hands connections round-robin to the loops (a queue plus {@code wakeup()}).
 *
 * <p>Each loop owns one direct read buffer and one direct write buffer shared by all its
 * connections; a connection keeps a small heap buffer only while it holds a partial request or
 * output the socket did not take, so idle connections cost little (this matters for the scale
 * run). Level-triggered, as the JDK selector is: one read per readiness, answered at once.
 */
public final class NioServer {

    private static final int HTTP = 0;
    private static final int ECHO = 1;

    public static void main(String[] args) throws IOException {
        ServerOptions opts = ServerOptions.parse(args, "nio");
        Loop[] loops = new Loop[opts.loops()];
        for (int i = 0; i < loops.length; i++) loops[i] = new Loop(loops);
        ServerSocketChannel http = listen(opts.httpPort());
        ServerSocketChannel echo = listen(opts.echoPort());
        http.register(loops[0].selector, SelectionKey.OP_ACCEPT, HTTP);
        echo.register(loops[0].selector, SelectionKey.OP_ACCEPT, ECHO);
        for (int i = 0; i < loops.length; i++) {
            Thread t = new Thread(loops[i]::run, "nio-loop-" + i);
            t.start();
        }
        ServerOptions.ready("java-nio loops=" + loops.length);
    }

    private static ServerSocketChannel listen(int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        ch.configureBlocking(false);
        return ch;
    }

    /** Per-connection state; the buffers are null while the connection is idle. */
    private static final class Conn {
        final SocketChannel ch;
        final int kind;
        ByteBuffer pendingIn;  // read mode: a partial request head
        ByteBuffer pendingOut; // read mode: bytes the socket did not take yet
        boolean closeAfterFlush;

        Conn(SocketChannel ch, int kind) {
            this.ch = ch;
            this.kind = kind;
        }
    }

    private static final class Loop {
        final Selector selector;
        final Loop[] all;
        final ConcurrentLinkedQueue<Conn> incoming = new ConcurrentLinkedQueue<>();
        final ByteBuffer readBuf = ByteBuffer.allocateDirect(64 * 1024);
        final ByteBuffer writeBuf = ByteBuffer.allocateDirect(64 * 1024);
        int nextLoop;

        Loop(Loop[] all) throws IOException {
            this.selector = Selector.open();
            this.all = all;
        }

        void run() {
            try {
                while (true) {
                    selector.select();
                    for (Conn c; (c = incoming.poll()) != null; ) c.ch.register(selector, SelectionKey.OP_READ, c);
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (key.attachment() instanceof Integer kind) {
                            accept((ServerSocketChannel) key.channel(), kind);
                        } else {
                            handle(key, (Conn) key.attachment());
                        }
                    }
                }
            } catch (IOException e) {
                e.printStackTrace();
                System.exit(1);
            }
        }

        private void accept(ServerSocketChannel server, int kind) throws IOException {
            for (SocketChannel ch; (ch = server.accept()) != null; ) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Conn c = new Conn(ch, kind);
                Loop target = all[nextLoop++ % all.length];
                if (target == this) {
                    ch.register(selector, SelectionKey.OP_READ, c);
                } else {
                    target.incoming.add(c);
                    target.selector.wakeup();
                }
            }
        }

        private void handle(SelectionKey key, Conn c) {
            try {
                if (key.isWritable() && !flushPending(key, c)) return;
                if (key.isReadable() || c.pendingIn != null) {
                    if (c.kind == HTTP) readHttp(key, c);
                    else readEcho(key, c);
                }
            } catch (IOException e) {
                close(key, c); // peer reset: nothing to report in a benchmark server
            }
        }

        /** Writes a connection's leftover output; true when it is all gone. */
        private boolean flushPending(SelectionKey key, Conn c) throws IOException {
            c.ch.write(c.pendingOut);
            if (c.pendingOut.hasRemaining()) return false;
            c.pendingOut = null;
            if (c.closeAfterFlush) {
                close(key, c);
                return false;
            }
            key.interestOps(SelectionKey.OP_READ);
            return true;
        }

        private void readHttp(SelectionKey key, Conn c) throws IOException {
            ByteBuffer in = readBuf.clear();
            if (c.pendingIn != null) {
                in.put(c.pendingIn);
                c.pendingIn = null;
            }
            int n = c.ch.read(in);
            if (n < 0) {
                close(key, c);
                return;
            }
            in.flip();
            int verdict;
            do {
                ByteBuffer out = writeBuf.clear();
                verdict = PlaintextHttp.serve(in, out);
                out.flip();
                if (out.hasRemaining()) c.ch.write(out);
                if (out.hasRemaining()) {
                    // The socket is full: park output and input, wait for OP_WRITE.
                    c.pendingOut = copy(out);
                    if (in.hasRemaining()) c.pendingIn = copy(in);
                    c.closeAfterFlush = verdict == PlaintextHttp.CLOSE;
                    key.interestOps(SelectionKey.OP_WRITE);
                    return;
                }
            } while (verdict == PlaintextHttp.OUT_FULL);
            if (verdict == PlaintextHttp.CLOSE) {
                close(key, c);
            } else if (in.hasRemaining()) {
                c.pendingIn = copy(in);
            }
        }

        private void readEcho(SelectionKey key, Conn c) throws IOException {
            ByteBuffer buf = readBuf.clear();
            int n = c.ch.read(buf);
            if (n < 0) {
                close(key, c);
                return;
            }
            buf.flip();
            c.ch.write(buf);
            if (buf.hasRemaining()) {
                c.pendingOut = copy(buf);
                key.interestOps(SelectionKey.OP_WRITE);
            }
        }

        private static ByteBuffer copy(ByteBuffer b) {
            ByteBuffer c = ByteBuffer.allocate(b.remaining());
            c.put(b).flip();
            return c;
        }

        private static void close(SelectionKey key, Conn c) {
            key.cancel();
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing a reset socket: nothing left to do
            }
        }
    }
}
