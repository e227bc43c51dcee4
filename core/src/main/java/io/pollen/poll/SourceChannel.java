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
 * (mio does the same on its emulated backends).
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
     * Tells the nio backend that an operation on this channel would block, so it watches for
     * {@code interest} again. A no-op on backends that are edge-triggered natively.
     */
    public void rearm(Registry registry, Interest interest) {
        registry.selector().rearm(channel, interest.bits());
    }
}
