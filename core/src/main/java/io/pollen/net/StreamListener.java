package io.pollen.net;

import io.pollen.poll.Backend;
import io.pollen.poll.Source;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * What {@link TcpListener} and {@link UnixListener} share: a non-blocking listening socket whose
 * readable events mean connections may be pending. Code that only accepts (the runtime's async
 * listeners) takes this type and serves TCP and Unix sockets alike.
 */
public interface StreamListener extends Source, Closeable {

    /** Accepts one pending connection, or {@code null} if none is pending (would block). */
    StreamSocket accept() throws IOException;

    /** The bound address. */
    SocketAddress localAddress();

    /** The backend whose Polls this listener and its accepted streams register with. */
    Backend backend();

    /** Whether {@link #close()} has not been called. */
    boolean isOpen();
}
