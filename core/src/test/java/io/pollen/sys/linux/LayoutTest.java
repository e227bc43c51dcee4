package io.pollen.sys.linux;

import io.pollen.sys.unix.IoVec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Struct layouts as the kernel ABI has them, per architecture; and the epoll_pwait2 probe. */
class LayoutTest {
    @Test
    void epollEventIsPackedOnlyOnX86_64() {
        String arch = System.getProperty("os.arch");
        if (EPoll.isX86_64(arch)) {
            assertTrue(EPoll.PACKED);
            assertEquals(12, EPoll.EVENT_SIZE);
            assertEquals(4, EPoll.EVENT.byteOffset(groupElement("data")));
        } else {
            assertFalse(EPoll.PACKED);
            assertEquals(16, EPoll.EVENT_SIZE);
            assertEquals(8, EPoll.EVENT.byteOffset(groupElement("data")));
        }
        assertTrue(EPoll.isX86_64("amd64") && EPoll.isX86_64("x86_64") && !EPoll.isX86_64("aarch64"));
    }

    @Test
    void otherStructs() {
        assertEquals(16, IoVec.IOVEC.byteSize());
        assertEquals(56, IoVec.MSGHDR.byteSize());
        assertEquals(16, EPoll.TIMESPEC.byteSize());
    }

    @Test
    void eventArrayAccessorsMatchTheLayout() throws IOException {
        // Round trip through the kernel: an fd registered with data d comes back with d.
        int ep = EPoll.create1(EPoll.EPOLL_CLOEXEC);
        int efd = EventFd.eventfd(1, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            long data = 0x0123_4567_89ab_cdefL;
            EPoll.ctl(ep, EPoll.EPOLL_CTL_ADD, efd, EPoll.EPOLLIN | EPoll.EPOLLOUT, data);
            MemorySegment events = arena.allocate(EPoll.EVENT_SIZE * 4, 8);
            assertEquals(1, EPoll.wait(ep, events, 4, 1000));
            assertEquals(data, EPoll.data(events, 0));
            assertEquals(EPoll.EPOLLIN | EPoll.EPOLLOUT, EPoll.events(events, 0));
            if (EPoll.HAS_PWAIT2) {
                MemorySegment ts = arena.allocate(EPoll.TIMESPEC);
                EPoll.timespec(ts, 1_500_000_000L);
                assertEquals(1, ts.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
                assertEquals(500_000_000L, ts.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8));
                assertEquals(1, EPoll.pwait2(ep, events, 4, ts), "level-triggered registration: still ready");
                assertEquals(data, EPoll.data(events, 0));
            }
        } finally {
            io.pollen.sys.unix.Unistd.close(efd);
            io.pollen.sys.unix.Unistd.close(ep);
        }
    }
}
