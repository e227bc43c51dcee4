package io.pollen.net.spi;

import java.io.IOException;

/** A listening TCP socket of either flavor. */
public interface ListenerImpl extends SocketImpl {

    /** Accepts one pending connection, non-blocking and close-on-exec; {@code null} if none is pending. */
    StreamImpl accept() throws IOException;
}
