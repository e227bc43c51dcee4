package io.pollen.net;

import io.pollen.net.spi.SocketImpl;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Registry;
import io.pollen.poll.Source;
import io.pollen.poll.Token;

import java.io.IOException;

/**
 * The {@link Source} behind every public socket type: checks that the Poll is of the socket's
 * flavor (native fd or java.nio channel), then hands the call to the flavor's own source. Kept in
 * one place so the three socket types cannot drift apart in how they refuse a wrong Poll.
 */
final class FlavorSource implements Source {
    private final String type;
    private final Backend backend;
    private final Source source;

    FlavorSource(String type, Backend backend, SocketImpl impl) {
        this(type, backend, impl.source());
    }

    FlavorSource(String type, Backend backend, Source source) {
        this.type = type;
        this.backend = backend;
        this.source = source;
    }

    @Override
    public void register(Registry registry, Token token, Interest interest) throws IOException {
        check(registry);
        source.register(registry, token, interest);
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interest) throws IOException {
        check(registry);
        source.reregister(registry, token, interest);
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        check(registry);
        source.deregister(registry);
    }

    /** Refuses a Poll of the other flavor, naming both. */
    private void check(Registry registry) {
        Backend poll = registry.backend();
        if (backend.nativeSockets() != poll.nativeSockets()) {
            throw new IllegalArgumentException(type + " opened for " + backend.id() + " cannot register with a "
                    + poll.id() + " Poll; open it with Backend." + poll.name() + " (or the Poll's backend())");
        }
    }
}
