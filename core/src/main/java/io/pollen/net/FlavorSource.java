package io.pollen.net;

import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.poll.Registry;
import io.pollen.poll.Source;
import io.pollen.poll.Token;

import java.io.IOException;

/**
 * The {@link Source} behind every public socket type: checks that the Poll is of the socket's
 * flavor (native fd or java.nio channel), then hands the call to the flavor's own source. Kept in
 * one place (each public type holds one through {@link NetSource}) so that the socket types and
 * pipe ends cannot drift apart in how they refuse a wrong Poll.
 *
 * <p>It also remembers the registry it is registered with, so that registering with a second
 * Poll is refused on every backend, as mio refuses it (neither epoll nor java.nio would: one fd
 * can sit in several epoll sets, one channel in several selectors, and events would then go to
 * two owners). A Poll that was closed lets its sources go.
 */
final class FlavorSource implements Source {
    private final String type;
    private final Backend backend;
    private final Source source;
    /** The registry this source is registered with, or null; guarded by this. */
    private Registry owner;

    FlavorSource(String type, Backend backend, Source source) {
        this.type = type;
        this.backend = backend;
        this.source = source;
    }

    @Override
    public synchronized void register(Registry registry, Token token, Interest interest) throws IOException {
        check(registry);
        if (owner != null && owner != registry && owner.isOpen()) {
            throw new IllegalStateException(type + " is already registered with another " + owner.backend().id()
                    + " Poll; a source belongs to one Poll at a time: deregister it there first");
        }
        source.register(registry, token, interest);
        owner = registry;
    }

    @Override
    public synchronized void reregister(Registry registry, Token token, Interest interest) throws IOException {
        check(registry);
        source.reregister(registry, token, interest);
    }

    @Override
    public synchronized void deregister(Registry registry) throws IOException {
        check(registry);
        source.deregister(registry);
        if (owner == registry) {
            owner = null;
        }
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
