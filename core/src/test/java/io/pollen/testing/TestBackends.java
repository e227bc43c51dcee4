package io.pollen.testing;

import io.pollen.poll.Backend;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The backends available on this machine (epoll and nio on Linux; kqueue too when a libkqueue is
 * named with {@code -Dpollen.kqueue.library=PATH}), for
 * {@code @ParameterizedTest @MethodSource("io.pollen.testing.TestBackends#all")}: every
 * integration test runs on each of them in one {@code mvn verify}.
 *
 * <p>A backend that is not available is never silently passed over: each one is printed once, with
 * the reason, when this class loads (e.g. {@code kqueue: skipped — no native kqueue on Linux: ...}),
 * and {@code KqueueAvailabilityTest} shows the kqueue skip in Surefire's counts.
 */
public final class TestBackends {
    private TestBackends() {
    }

    static {
        for (Backend b : Backend.values()) {
            if (!b.isAvailable()) {
                System.out.println(b.id() + ": skipped — " + unavailableReason(b));
            }
        }
    }

    /** Why {@code backend} cannot run here (empty text when it can). */
    public static String unavailableReason(Backend backend) {
        if (backend.isAvailable()) {
            return "";
        }
        String why = backend.unavailableReason();
        return why != null ? why : backend.id() + " is unavailable";
    }

    /**
     * Every available backend, or only those named in {@code -Dpollen.test.backends=nio,epoll}
     * (handy to run one backend, or while a backend is still being built). Naming a backend that is
     * not available here is an error that says why, not an empty (and silently green) run.
     */
    public static Stream<Backend> all() {
        String only = System.getProperty("pollen.test.backends", "").trim();
        Stream<Backend> available = Arrays.stream(Backend.values()).filter(Backend::isAvailable);
        if (only.isEmpty()) {
            return available;
        }
        List<String> names = Arrays.stream(only.split(",")).map(String::trim).toList();
        for (String name : names) {
            Backend b = Backend.byName(name);
            if (!b.isAvailable()) {
                throw new IllegalStateException("-Dpollen.test.backends names " + b.id()
                        + ", which is not available here: " + unavailableReason(b));
            }
        }
        return available.filter(b -> names.stream().anyMatch(n -> n.equalsIgnoreCase(b.id())));
    }
}
