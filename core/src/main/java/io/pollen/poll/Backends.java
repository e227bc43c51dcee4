package io.pollen.poll;

import io.pollen.poll.epoll.EpollSelector;
import io.pollen.poll.kqueue.KqueueSelector;
import io.pollen.poll.nio.NioSelector;
import io.pollen.poll.spi.Selector;
import io.pollen.sys.bsd.KQueue;
import io.pollen.poll.uring.UringDriver;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.poll.uring.UringSelector;
import io.pollen.poll.spi.Driver;
import io.pollen.poll.uring.UringSupport;

import java.io.IOException;
import java.util.Locale;

/** Maps a {@link Backend} to its implementation; the one place that knows the backend classes. */
final class Backends {
    private Backends() {
    }

    static boolean available(Backend backend) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        return switch (backend) {
            case EPOLL -> os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
            // Native kqueue (macOS, FreeBSD) or a library named by -Dpollen.kqueue.library (libkqueue).
            case KQUEUE -> KQueue.AVAILABLE;
            case NIO -> true;
            case IO_URING -> UringSupport.isAvailable();
        };
    }

    /** Why {@code backend} cannot run here ({@code null} if it can). */
    static String unavailableReason(Backend backend) {
        if (available(backend)) {
            return null;
        }
        return switch (backend) {
            case IO_URING -> UringSupport.unavailableReason();
            case KQUEUE -> KQueue.unavailableReason().orElse("kqueue is not available");
            default -> "the " + backend.id() + " backend does not run on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        };
    }

    /**
     * Whether {@code io.pollen.net.fd}'s sockets speak {@code osName}'s socket ABI: Linux, macOS and
     * FreeBSD each have a {@link SocketAbi} profile; other OSes use nio.
     */
    static boolean fdSocketsSpeak(String osName) {
        return SocketAbi.select(osName) != null;
    }

    /** "on OS/arch: why" (no native kqueue or library, io_uring disabled or filtered, ...). */
    static String where(Backend backend) {
        String why = unavailableReason(backend);
        return "on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + (why == null ? "" : ": " + why);
    }

    /**
     * The driver of an event loop: io_uring's own loop-owned {@link UringDriver} (completion I/O for
     * TCP streams) when {@code completions} is asked for, the readiness {@link SelectorDriver} over
     * the backend's selector otherwise.
     */
    static Driver openDriver(Backend backend, int capacity, boolean completions) throws IOException {
        if (backend == Backend.IO_URING && completions && available(backend)) {
            return UringDriver.open(selector -> Poll.over(Backend.IO_URING, selector));
        }
        return SelectorDriver.open(backend, capacity);
    }

    static Selector open(Backend backend) throws IOException {
        if (!available(backend)) {
            throw new UnsupportedOperationException("the " + backend.id() + " backend is not available " + where(backend));
        }
        return switch (backend) {
            case EPOLL -> EpollSelector.open();
            case NIO -> NioSelector.open();
            case KQUEUE -> KqueueSelector.open();
            case IO_URING -> UringSelector.open();
        };
    }
}
