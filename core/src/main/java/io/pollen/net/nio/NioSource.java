package io.pollen.net.nio;

import io.pollen.poll.Interest;
import io.pollen.poll.Registry;
import io.pollen.poll.Source;
import io.pollen.poll.SourceChannel;
import io.pollen.poll.Token;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * The {@link Source} of a nio-flavored socket: a {@link SourceChannel} that remembers the registry
 * it was registered with, so that the socket can {@linkplain #rearm re-arm} the right readiness
 * when an operation would block (the nio backend's emulated edge triggering needs that), and
 * fetch the failure of a connect that the backend finished.
 */
final class NioSource implements Source {
    private final SourceChannel channel;
    private volatile Registry registry;
    /** A connect failure fetched from the backend at deregistration, before the registry is forgotten. */
    private volatile IOException connectError;

    NioSource(SelectableChannel channel) {
        this.channel = new SourceChannel(channel);
    }

    @Override
    public void register(Registry registry, Token token, Interest interest) throws IOException {
        channel.register(registry, token, interest);
        this.registry = registry;
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interest) throws IOException {
        channel.reregister(registry, token, interest);
        this.registry = registry;
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        if (!channel.channel().isOpen()) {
            IOException e = channel.takeConnectError(registry);
            if (e != null) {
                connectError = e;
            }
        }
        channel.deregister(registry);
        if (this.registry == registry) {
            this.registry = null;
        }
    }

    /** The failure of a connect that the backend finished, or null; taking it forgets it. */
    IOException takeConnectError() {
        IOException e = connectError;
        if (e != null) {
            connectError = null;
            return e;
        }
        Registry r = registry;
        return r == null ? null : channel.takeConnectError(r);
    }

    /** An operation would block for {@code interest}: ask the backend to watch for it again. */
    void rearm(Interest interest) {
        Registry r = registry;
        if (r != null) {
            channel.rearm(r, interest);
        }
    }
}
