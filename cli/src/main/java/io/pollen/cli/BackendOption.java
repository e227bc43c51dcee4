package io.pollen.cli;

import io.pollen.poll.Backend;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --backend} option of {@code serve}, {@code demo} and {@code get}, made a
 * {@link Backend}: one place for the checks and their words.
 */
final class BackendOption {
    private BackendOption() {}

    /**
     * The backend named by {@code name}, or (null) the automatic choice ({@code -Dpollen.backend},
     * else the OS's best).
     *
     * @throws ParameterException an unknown name
     * @throws NotHere            a known backend that cannot run here (io_uring in a container,
     *                            kqueue on Linux), with its reason
     */
    static Backend resolve(CommandLine line, String name) {
        Backend b;
        try {
            b = name == null ? Backend.select() : Backend.byName(name);
        } catch (IllegalArgumentException unknown) {
            throw new ParameterException(line, unknown.getMessage());
        } catch (IllegalStateException unavailable) {   // -Dpollen.backend names one that cannot run
            throw new NotHere(line, unavailable.getMessage());
        }
        if (!b.isAvailable()) {
            throw new NotHere(line, "backend '" + b.id() + "' is not available on " + System.getProperty("os.name")
                    + ": " + b.unavailableReason() + "\n(leave --backend out for the automatic choice: "
                    + Backend.platformDefault().id() + " here)");
        }
        return b;
    }
}
