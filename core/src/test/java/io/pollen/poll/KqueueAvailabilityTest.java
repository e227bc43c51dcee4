package io.pollen.poll;

import io.pollen.net.Sockets;
import io.pollen.net.fd.FdSocketFactory;
import io.pollen.testing.TestBackends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Whether the kqueue backend runs here, and how it is chosen. Where it cannot run (Linux without
 * {@code -Dpollen.kqueue.library=PATH}), the first test is skipped with the reason, so the skip
 * shows in Surefire's counts, and the second checks that the reason reaches the caller.
 */
class KqueueAvailabilityTest {
    @Test
    void kqueueOpensAndIsSelectable() throws IOException {
        assumeTrue(Backend.KQUEUE.isAvailable(), () -> "kqueue: skipped — " + TestBackends.unavailableReason(Backend.KQUEUE));
        try (Poll poll = Poll.open(Backend.KQUEUE)) {
            assertSame(Backend.KQUEUE, poll.backend());
        }
        assertTrue(Backend.KQUEUE.nativeSockets(), "kqueue watches file descriptors, like epoll");
        assertSame(FdSocketFactory.INSTANCE, Sockets.factory(Backend.KQUEUE));
        String before = System.getProperty("pollen.backend");
        System.setProperty("pollen.backend", "kqueue");
        try {
            assertSame(Backend.KQUEUE, Backend.select(), "-Dpollen.backend=kqueue selects it");
        } finally {
            if (before == null) {
                System.clearProperty("pollen.backend");
            } else {
                System.setProperty("pollen.backend", before);
            }
        }
    }

    @Test
    void unavailableKqueueSaysWhyAndHowToGetIt() {
        assumeFalse(Backend.KQUEUE.isAvailable(), "kqueue is available here");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Poll.open(Backend.KQUEUE));
        assertTrue(e.getMessage().contains("pollen.kqueue.library"), e.getMessage());
        String before = System.getProperty("pollen.backend");
        System.setProperty("pollen.backend", "kqueue");
        try {
            IllegalStateException forced = assertThrows(IllegalStateException.class, Backend::select);
            assertTrue(forced.getMessage().contains("kqueue is not available"), forced.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("pollen.backend");
            } else {
                System.setProperty("pollen.backend", before);
            }
        }
    }

    @Test
    void kqueueIsTheDefaultOnMacosAndFreebsd() {
        // The fd sockets speak each OS's socket ABI (SocketAbi): kqueue is the default where it loads.
        assertSame(Backend.KQUEUE, Backend.platformDefault("Mac OS X", false, true));
        assertSame(Backend.KQUEUE, Backend.platformDefault("Darwin", false, true));
        assertSame(Backend.KQUEUE, Backend.platformDefault("FreeBSD", false, true));
        // nio stays the fallback when the kqueue library cannot load, and on OSes without a profile.
        assertSame(Backend.NIO, Backend.platformDefault("Mac OS X", false, false));
        assertSame(Backend.NIO, Backend.platformDefault("FreeBSD", false, false));
        assertSame(Backend.NIO, Backend.platformDefault("OpenBSD", false, true));
        assertSame(Backend.NIO, Backend.platformDefault("Windows 11", false, false));
        // On Linux a libkqueue given for testing never displaces epoll, nor stands in for it.
        assertSame(Backend.EPOLL, Backend.platformDefault("Linux", true, true));
        assertSame(Backend.NIO, Backend.platformDefault("Linux", false, true));
        assertTrue(Backends.fdSocketsSpeak("Linux") && Backends.fdSocketsSpeak("Mac OS X") && Backends.fdSocketsSpeak("FreeBSD"));
        assertFalse(Backends.fdSocketsSpeak("Windows 11"));
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            assertSame(Backend.EPOLL.isAvailable() ? Backend.EPOLL : Backend.NIO, Backend.platformDefault());
        }
    }
}
