package io.pollen.poll;

import io.pollen.poll.epoll.EpollSelector;
import io.pollen.poll.nio.NioSelector;
import io.pollen.poll.spi.Selector;
import io.pollen.poll.uring.UringSelector;
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
            case KQUEUE -> false;
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
            case KQUEUE -> "the kqueue backend is not implemented yet";
            default -> "the " + backend.id() + " backend does not run on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        };
    }

    static Selector open(Backend backend) throws IOException {
        if (!available(backend)) {
            throw new UnsupportedOperationException("the " + backend.id() + " backend is not available on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + unavailableReason(backend));
        }
        return switch (backend) {
            case EPOLL -> EpollSelector.open();
            case NIO -> NioSelector.open();
            case IO_URING -> UringSelector.open();
            case KQUEUE -> throw new UnsupportedOperationException("the kqueue backend is not implemented yet");
        };
    }
}
