package io.pollen.testing;

import io.pollen.poll.Backend;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The backends available on this machine (epoll and nio on Linux), for
 * {@code @ParameterizedTest @MethodSource("io.pollen.testing.TestBackends#all")}: every
 * integration test runs on each of them in one {@code mvn verify}.
 */
public final class TestBackends {
    private TestBackends() {
    }

    /**
     * Every available backend, or only those named in {@code -Dpollen.test.backends=nio,epoll}
     * (handy to run one backend, or while a backend is still being built).
     */
    public static Stream<Backend> all() {
        String only = System.getProperty("pollen.test.backends", "").trim();
        Stream<Backend> available = Arrays.stream(Backend.values()).filter(Backend::isAvailable);
        if (only.isEmpty()) {
            return available;
        }
        java.util.List<String> names = Arrays.stream(only.split(",")).map(String::trim).toList();
        return available.filter(b -> names.stream().anyMatch(n -> n.equalsIgnoreCase(b.id())));
    }
}
