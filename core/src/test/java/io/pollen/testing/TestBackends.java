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

    public static Stream<Backend> all() {
        return Arrays.stream(Backend.values()).filter(Backend::isAvailable);
    }
}
