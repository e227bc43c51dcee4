package io.pollen.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * A usage error in which nothing on the command line is misspelt: what was asked cannot be done
 * here (a backend this machine cannot run, a descriptor limit too low for {@code --tasks}).
 * {@link Pollen} prints only its message, which says why and what to do instead, not the usage
 * text a typo earns (the reason would scroll away above it), and exits 2 like any usage error.
 */
final class NotHere extends ParameterException {
    NotHere(CommandLine line, String message) {
        super(line, message);
    }
}
