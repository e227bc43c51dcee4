package io.pollen.sys;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NativeIOException#isResourceExhaustion()}: the errors a server backs off from (out of
 * descriptors or buffers) and the ones it does not.
 */
class ResourceExhaustionTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    @Test
    void outOfDescriptorsOrBuffersIsExhaustion() {
        for (String name : new String[]{"EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"}) {
            NativeIOException e = new NativeIOException("accept4", 1, name, "text");
            assertTrue(e.isResourceExhaustion(), name);
            assertTrue(NativeIOException.isResourceExhaustion(e), name);
        }
    }

    @Test
    void otherErrorsAreNot() {
        for (String name : new String[]{"ECONNRESET", "EINVAL", "EBADF", "E?"}) {
            assertFalse(new NativeIOException("accept4", 1, name, "text").isResourceExhaustion(), name);
        }
        assertFalse(NativeIOException.isResourceExhaustion(new IOException("Too many open files")),
                "only a named errno counts (the nio backend names EMFILE itself)");
        assertFalse(NativeIOException.isResourceExhaustion(null));
    }
}
