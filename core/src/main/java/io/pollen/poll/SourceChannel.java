package io.pollen.poll;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * A java.nio {@link SelectableChannel} as a {@link Source}, for the nio backend. The channel must be
 * in non-blocking mode. The caller keeps owning it and closes it after deregistering.
 *
 * <p>The nio backend emulates edge triggering: once it reports a readiness, it stops watching for
 * it until the owner reports "would block" through {@link #rearm}. Pollen's own sockets do that
 * for you; a raw channel's owner calls {@code rearm} after a read returned 0 or a write was short
 * (mio does the same on its emulated backends). A pending connect of a {@code SocketChannel} is
 * finished by the backend when it completes: the owner never needs to call {@code finishConnect},
 * and learns a failure from the error event and {@link #takeConnectError}.
 * On the native backends, registering a {@code SourceChannel} throws
 * {@link IllegalArgumentException}.
 *
 * @param channel the channel
 */
public record SourceChannel(SelectableChannel channel) implements Source {
    public SourceChannel {
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the channel must be in non-blocking mode");
        }
    }

    @Override
    public void register(Registry registry, Token token, Interest interest) throws IOException {
        registry.selector().register(channel, token.value(), interest.bits());
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interest) throws IOException {
        registry.selector().reregister(channel, token.value(), interest.bits());
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        registry.selector().deregister(channel);
    }

    /**
     * The failure of this channel's connect, when the nio backend finished it (or null). The nio
     * backend calls {@code finishConnect} itself when the connect completes, so that the owner
     * need not; a failed connect is reported as an error event, the JDK closes the channel, and
     * the exception waits here until taken (taking it forgets it). Always null on other backends.
     */
    public IOException takeConnectError(Registry registry) {
        return registry.selector().takeConnectError(channel);
    }

    /**
     * Tells the nio backend that an operation on this channel would block, so it watches for
     * {@code interest} again. A no-op on backends that are edge-triggered natively.
     */
    public void rearm(Registry registry, Interest interest) {
        registry.selector().rearm(channel, interest.bits());
    }
}
