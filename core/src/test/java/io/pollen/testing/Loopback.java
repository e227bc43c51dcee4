package io.pollen.testing;

import io.pollen.net.TcpListener;
import io.pollen.net.StreamSocket;
import io.pollen.net.TcpStream;
import io.pollen.poll.Backend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.fail;

/** Loopback plumbing for socket tests: addresses, connected pairs, bounded busy-waits. */
public final class Loopback {
    private Loopback() {
    }

    /** 127.0.0.1 with an ephemeral port. */
    public static InetSocketAddress any() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** The loopback address (127.0.0.1), to bind a JDK {@link ServerSocket} peer on. */
    public static InetAddress address() {
        return InetAddress.getLoopbackAddress();
    }

    /** Where to connect to a JDK {@link ServerSocket} bound on {@link #address()}. */
    public static InetSocketAddress addressOf(ServerSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }

    /** A loopback port nobody listens on (bound, then released). */
    public static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    /** A connected client/server pair with the listener that made it; close it with {@link #close}. */
    public record Pair(TcpListener listener, TcpStream client, TcpStream server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }

    /** Connects a client to a fresh listener and accepts it (no Poll involved; bounded spin). */
    public static Pair pair(Backend backend) throws IOException {
        TcpListener listener = TcpListener.bind(any(), backend);
        TcpStream client = null;
        try {
            client = TcpStream.connect(listener.localAddress(), backend);
            TcpStream server = acceptWithin(listener, 10_000);
            return new Pair(listener, client, server);
        } catch (IOException | RuntimeException | Error e) {
            if (client != null) {
                client.close();
            }
            listener.close();
            throw e;
        }
    }

    /** Accepts, retrying until a connection arrives or {@code millis} pass. */
    public static TcpStream acceptWithin(TcpListener listener, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            TcpStream s = listener.accept();
            if (s != null) {
                return s;
            }
            sleep(1);
        }
        fail("no connection accepted within " + millis + " ms");
        return null;
    }

    /** Reads exactly {@code n} bytes, retrying on "would block" for up to 10 s. */
    public static byte[] readExactly(StreamSocket stream, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (buf.hasRemaining()) {
            int r = stream.read(buf);
            if (r < 0) {
                fail("end of stream after " + buf.position() + " of " + n + " bytes");
            }
            if (r == 0) {
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + buf.position() + " of " + n + " bytes");
                }
                sleep(1);
            }
        }
        return buf.array();
    }

    /** Writes all of {@code data}, retrying on "would block" for up to 10 s. */
    public static void writeAll(StreamSocket stream, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (buf.hasRemaining()) {
            if (stream.write(buf) == 0) {
                if (System.nanoTime() > deadline) {
                    fail("timed out writing");
                }
                sleep(1);
            }
        }
    }

    public static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    public static String ascii(ByteBuffer flipped) {
        byte[] b = new byte[flipped.remaining()];
        flipped.get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
