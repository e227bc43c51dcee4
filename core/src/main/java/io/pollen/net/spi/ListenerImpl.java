package io.pollen.net.spi;

import java.io.IOException;

/** A listening stream socket (TCP or Unix) of either flavor. */
public interface ListenerImpl extends SocketImpl {

    /** Accepts one pending connection, non-blocking and close-on-exec; {@code null} if none is pending. */
    StreamImpl accept() throws IOException;
}
