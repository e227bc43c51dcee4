package io.pollen.net.spi;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** A stream socket (TCP, or Unix {@code SOCK_STREAM}) of either flavor; see {@link SocketImpl} for conventions. */
public interface StreamImpl extends SocketImpl {

    /** Reads into {@code dst}: bytes read, -1 at end of stream, 0 if it would block. */
    int read(ByteBuffer dst) throws IOException;

    /** Scattering read ({@code readv}); same return convention. */
    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    /** Reads without consuming ({@code MSG_PEEK}); same return convention. */
    int peek(ByteBuffer dst) throws IOException;

    /** Writes from {@code src}: bytes written, 0 if it would block. */
    int write(ByteBuffer src) throws IOException;

    /** Gathering write ({@code writev}); same return convention. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    void shutdown(boolean read, boolean write) throws IOException;

    /** @throws java.nio.channels.NotYetConnectedException while a connect is in progress */
    SocketAddress peerAddress() throws IOException;

    /**
     * The pending socket error ({@code SO_ERROR}), cleared by reading it: e.g. a refused connect.
     * {@code null} if there is none. For the nio flavor, completes a pending connect
     * ({@code finishConnect}) and returns its failure.
     */
    IOException takeError() throws IOException;

    /** Whether any of {@code bufs[offset .. offset+length)} has room (or bytes) left; both flavors ask. */
    static boolean anyRemaining(ByteBuffer[] bufs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bufs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
