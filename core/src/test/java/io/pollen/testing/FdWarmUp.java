package io.pollen.testing;

/**
 * Opens, once per JVM and before the first {@link NoFdLeaks} snapshot, what a library keeps open
 * for the life of the process (a module's first served connection, for instance), so that it is
 * not counted as the first test class's leak. Listed in a module's test resources under
 * {@code META-INF/services/io.pollen.testing.FdWarmUp}; the JDK's own once-per-JVM fds are
 * already handled by {@link Fds#snapshot()}.
 */
public interface FdWarmUp {
    /** Opens and closes what leaves the once-per-JVM fds behind; runs once, before any snapshot. */
    void warmUp();
}
