package io.pollen.poll.spi;

import io.pollen.poll.Registry;

import java.util.Objects;
import java.util.function.Function;

/**
 * The selector behind a {@link Registry}, for sources outside {@code io.pollen.poll} that register
 * more than a plain fd (a stream socket asks a completion driver for its {@link StreamIo}). The
 * registry keeps its selector package-private; {@code io.pollen.poll} installs this accessor when
 * {@code Backend} is initialised, which has happened by the time any Registry exists. Internal.
 */
public final class RegistryAccess {
    private static volatile Function<Registry, Selector> access;

    private RegistryAccess() {
    }

    /** Called once by {@code io.pollen.poll.Backend}'s initialiser. */
    public static void install(Function<Registry, Selector> f) {
        access = Objects.requireNonNull(f, "access");
    }

    /** The selector {@code registry} registers with. */
    public static Selector selector(Registry registry) {
        return access.apply(registry);
    }
}
