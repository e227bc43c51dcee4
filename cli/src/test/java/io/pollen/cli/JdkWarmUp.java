package io.pollen.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;

/**
 * Makes the JDK open its once-per-JVM file descriptors before a test class snapshots its fds.
 *
 * <p>The first java.nio socket a JVM opens makes the JDK create a socket pair and keep one end for
 * ever (the "pre-close" fd that {@code sun.nio.ch} dup2s over a channel's fd when it is closed
 * while in use). Whichever test class first touches java.nio would otherwise be blamed for that
 * fd: it is the JDK's, not a leak.
 */
final class JdkWarmUp {
    private JdkWarmUp() {
    }

    static void nio() {
        try {
            SocketChannel.open().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
