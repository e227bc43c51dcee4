package io.pollen.net.spi;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** A datagram socket (UDP, or Unix {@code SOCK_DGRAM}) of either flavor. Sizes are whole datagrams; 0 / {@code null} means would block. */
public interface DatagramImpl extends SocketImpl {

    /** Sends one datagram to {@code target}: bytes sent, 0 if it would block. */
    int sendTo(ByteBuffer src, SocketAddress target) throws IOException;

    /** Receives one datagram; returns its source, or {@code null} if none is pending. */
    SocketAddress receiveFrom(ByteBuffer dst) throws IOException;

    /** As {@link #receiveFrom} without consuming the datagram. */
    SocketAddress peekFrom(ByteBuffer dst) throws IOException;

    /** Fixes the peer for {@link #send} and {@link #receive}, and filters datagrams from others. */
    void connect(SocketAddress peer) throws IOException;

    /** Sends to the connected peer: bytes sent, 0 if it would block. */
    int send(ByteBuffer src) throws IOException;

    /** Receives from the connected peer: bytes received, -1 never, 0 if none is pending. */
    int receive(ByteBuffer dst) throws IOException;

    /** The connected peer, or {@code null}. */
    SocketAddress peerAddress() throws IOException;
}
