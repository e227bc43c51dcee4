package io.pollen.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scripted one-connection TCP server on 127.0.0.1, for failure tests of clients: on a virtual
 * thread it accepts one connection, reads a request head (up to the blank line), runs the script
 * (which writes whatever hostile answer the test needs), then sends nothing more and waits for the
 * client to close. {@link #clientClosed} completes with true when the client closed (or reset)
 * the connection; a script writing into a closed connection just ends. Every blocking step is
 * bounded by {@code boundSeconds}, so the thread always stops by itself.
 */
public final class ScriptedPeer implements AutoCloseable {
    /** What the peer does after it has read the request head. */
    public interface Script {
        void run(OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final CompletableFuture<Boolean> clientClosed = new CompletableFuture<>();

    public ScriptedPeer(int boundSeconds, Script script) throws IOException {
        Thread.ofVirtual().name("scripted-peer").start(() -> {
            try (Socket s = ss.accept()) {
                s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(boundSeconds));
                InputStream in = s.getInputStream();
                readHead(in);
                try {
                    script.run(s.getOutputStream());
                } catch (IOException clientWentAway) {
                    // writing to a closed connection: the client gave up
                }
                clientClosed.complete(in.read() < 0);
            } catch (IOException | InterruptedException e) {
                clientClosed.complete(e instanceof SocketException); // a reset is a close too
            }
        });
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public String url() {
        return "http://127.0.0.1:" + ss.getLocalPort() + "/";
    }

    /** True once the client closed the connection; false if the peer's bound ran out first. */
    public CompletableFuture<Boolean> clientClosed() {
        return clientClosed;
    }

    /** Writes {@code s} (ISO-8859-1) and flushes. */
    public static void send(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed before its request was complete");
            }
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    @Override
    public void close() throws IOException {
        ss.close();
    }
}
