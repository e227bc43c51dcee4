package io.pollen.poll;

import java.io.IOException;

/**
 * Something that can be registered with a {@link Registry}: Pollen's sockets, a raw file descriptor
 * ({@link SourceFd}), a java.nio channel ({@link SourceChannel}), or your own type wrapping one of
 * those.
 *
 * <p>Do not call these methods yourself; call {@link Registry#register} and friends, which check
 * the Poll's state and then call these. To make your own type a source, delegate all three
 * methods to the source it wraps, as Pollen's {@code TcpStream} does.
 */
public interface Source {

    void register(Registry registry, Token token, Interest interest) throws IOException;

    void reregister(Registry registry, Token token, Interest interest) throws IOException;

    void deregister(Registry registry) throws IOException;
}
