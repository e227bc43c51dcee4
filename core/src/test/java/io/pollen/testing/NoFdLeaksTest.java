package io.pollen.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The automatic fd-leak check ({@link NoFdLeaks}) run on sample classes through
 * the JUnit launcher, configured as Surefire configures every module: a class that keeps a socket
 * open fails, naming it; {@link AllowFdLeaks} exempts a class; an {@code @Nested} class is checked
 * with its outer class, not on its own.
 */
class NoFdLeaksTest {
    /** Sockets the sample classes leave open on purpose; closed by each test once checked. */
    static final List<ServerSocket> LEFT_OPEN = new ArrayList<>();

    static ServerSocket leave() throws IOException {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        LEFT_OPEN.add(s);
        return s;
    }

    static TestExecutionSummary run(Class<?> sample) throws IOException {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        try {
            launcher.execute(request().selectors(selectClass(sample))
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true").build(), listener);
        } finally {
            for (ServerSocket s : LEFT_OPEN) {
                s.close();
            }
            LEFT_OPEN.clear();
        }
        return listener.getSummary();
    }

    @Test
    void aClassThatLeavesASocketOpenFailsNamingIt() throws Exception {
        TestExecutionSummary summary = run(Leaky.class);
        assertEquals(1, summary.getTestsSucceededCount(), "the test itself passed");
        assertEquals(1, summary.getTotalFailureCount(), "the class failed");
        String message = summary.getFailures().getFirst().getException().getMessage();
        assertTrue(message.contains("leaked file descriptors") && message.contains("socket:"), message);
    }

    @Test
    void allowFdLeaksExemptsAClass() throws Exception {
        TestExecutionSummary summary = run(Exempt.class);
        assertEquals(1, summary.getTestsSucceededCount());
        assertEquals(0, summary.getTotalFailureCount());
    }

    @Test
    void aNestedClassIsCheckedWithItsOuterClass() throws Exception {
        TestExecutionSummary summary = run(Outer.class);
        assertEquals(2, summary.getTestsSucceededCount());
        assertEquals(0, summary.getTotalFailureCount(), "what the outer class closes is no leak of the nested one");
    }

    static class Leaky {
        @Test
        void leaves() throws IOException {
            leave();
        }
    }

    @AllowFdLeaks("a sample for NoFdLeaksTest: leaving the socket open is its point")
    static class Exempt {
        @Test
        void leaves() throws IOException {
            leave();
        }
    }

    static class Outer {
        static ServerSocket shared;

        @AfterAll
        static void closeShared() throws IOException {
            shared.close();
        }

        @Test
        void outer() {
        }

        @Nested
        class Inner {
            @BeforeAll
            static void open() throws IOException {
                shared = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            }

            @Test
            void inner() {
            }
        }
    }
}
