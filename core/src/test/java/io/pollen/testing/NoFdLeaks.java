package io.pollen.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ServiceLoader;

/**
 * Fails a test class that leaves more sockets, pipes or event queues open than it found: a
 * snapshot of the process's fds before the class's first {@code @BeforeAll}, a check after its last
 * {@code @AfterAll} (so what a class opens in {@code @BeforeAll} and closes in {@code @AfterAll}
 * is not a leak).
 *
 * <p>Registered once for every Jupiter test class of every module through
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} (core's test-jar) and
 * {@code junit.jupiter.extensions.autodetection.enabled=true} (the root pom's Surefire
 * configuration): a test class needs no header. Only top-level classes are checked; an
 * {@code @Nested} class is part of its outer class's check. A class that must not be checked says
 * why with {@link AllowFdLeaks}. Not covered: jqwik containers (not run by Jupiter), which take
 * their own {@link Fds#snapshot()} in {@code @BeforeContainer}; a test that must count fds within
 * one method still uses {@link Fds} itself.
 *
 * <p>Before the first snapshot in a JVM, every {@link FdWarmUp} on the class path runs, so that
 * fds a library opens once for the life of the process are not blamed on the first class.
 */
public final class NoFdLeaks implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoFdLeaks.class);
    private static boolean warm;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!checked(context)) {
            return;
        }
        warmUp();
        context.getStore(NS).put(context.getRequiredTestClass(), Fds.snapshot());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!checked(context)) {
            return;
        }
        Fds.Snapshot before = context.getStore(NS).remove(context.getRequiredTestClass(), Fds.Snapshot.class);
        if (before != null) {
            before.assertNoLeak();
        }
    }

    /** A top-level class without {@link AllowFdLeaks}; a nested class's parent has a test class. */
    private static boolean checked(ExtensionContext context) {
        boolean nested = context.getParent().flatMap(ExtensionContext::getTestClass).isPresent();
        return !nested && !context.getRequiredTestClass().isAnnotationPresent(AllowFdLeaks.class);
    }

    private static synchronized void warmUp() {
        if (warm) {
            return;
        }
        warm = true;
        for (FdWarmUp w : ServiceLoader.load(FdWarmUp.class)) {
            w.warmUp();
        }
    }
}
