package io.pollen.http;

import io.pollen.net.Shutdown;
import io.pollen.net.StreamSocket;
import io.pollen.runtime.EventLoop;
import io.pollen.tls.TlsBuffers;
import io.pollen.tls.TlsChannel;
import io.pollen.tls.TlsContexts;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A server connection's bytes: plain over its socket, or through TLS on an https listener. One
 * final class with a null test (not an interface with two implementations), so the read and write
 * of the hot path stay monomorphic and inline.
 */
final class ConnectionIo {
    private final StreamSocket stream;
    /** TLS over {@link #stream} on an https listener, else null. */
    private final TlsChannel tls;
    /** See {@link #tlsFailed()}. */
    private boolean tlsFailed;

    /** {@code tasksDone} runs on the loop when delegated TLS tasks (handshake steps) have ended. */
    ConnectionIo(StreamSocket stream, HttpServer.Config config, EventLoop loop, Runnable tasksDone, TlsBuffers buffers) {
        this.stream = stream;
        // TLS records go through the loop's pool like plain input: held only while bytes are in flight
        this.tls = config.tls() == null ? null
                : new TlsChannel(stream, TlsContexts.serverEngine(config.tls(), config.clientAuth(), "http/1.1"), loop, tasksDone, buffers);
    }

    boolean isTls() {
        return tls != null;
    }

    int read(ByteBuffer b) throws IOException {
        return tls == null || tlsFailed ? stream.read(b) : tls.read(b);
    }

    /** The TLS engine failed (its alert is sent): reads now take raw bytes, for a lingering close to drop. */
    void tlsFailed() {
        tlsFailed = true;
    }

    int write(ByteBuffer b) throws IOException {
        return tls == null ? stream.write(b) : tls.write(b);
    }

    /** The TLS session, null on a plain connection. */
    SSLSession tlsSession() {
        return tls == null ? null : tls.session();
    }

    /** Whether TLS records wait to leave (never for plain sockets). */
    boolean hasPendingOutput() {
        return tls != null && tls.hasPendingOutput();
    }

    /** Sends queued TLS records; true if reading may go on. Only on a TLS connection. */
    boolean flushTls() throws IOException {
        return tls.flush();
    }

    /** Ends the output: a TCP shutdown, or close_notify and the TCP shutdown once every record left. */
    void shutdownOutput() throws IOException {
        if (tls == null) {
            stream.shutdown(Shutdown.WRITE);
        } else {
            tls.shutdownOutput();
        }
    }

    /** The client's IP address; null for a Unix socket's client (no IP address, usually no name). */
    InetSocketAddress peer() {
        try {
            return stream.peerAddress() instanceof InetSocketAddress ip ? ip : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the socket, best effort: the fd is released either way. */
    void close() {
        try {
            if (tls != null) {
                tls.close(); // its buffers back to the pool, then the socket
            } else {
                stream.close();
            }
        } catch (IOException ignored) {
            // closing is best effort; the fd is released either way
        }
    }
}
