package io.pollen.net.nio;

import io.pollen.net.spi.Options;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;

/** Socket options on a java.nio channel: the JDK's own, minus what java.nio cannot express. */
final class NioOptions {
    private NioOptions() {
    }

    static <T> void set(NetworkChannel channel, SocketOption<T> option, T value) throws IOException {
        check(channel, option);
        channel.setOption(option, value);
    }

    static <T> T get(NetworkChannel channel, SocketOption<T> option) throws IOException {
        check(channel, option);
        return channel.getOption(option);
    }

    private static void check(NetworkChannel channel, SocketOption<?> option) {
        if (option == Options.IP_TTL) {
            // StandardSocketOptions only has IP_MULTICAST_TTL; the unicast TTL needs setsockopt.
            throw new UnsupportedOperationException(
                    "IP_TTL: java.nio has no unicast TTL option; use a native backend (epoll/kqueue) to set it");
        }
        if (option == Options.PEER_CREDENTIALS) {
            throw new UnsupportedOperationException("SO_PEERCRED: java.nio gives no peer pid/uid/gid; "
                    + "use a native backend (epoll/kqueue) for peer credentials");
        }
        if (!channel.supportedOptions().contains(option)) {
            throw new UnsupportedOperationException(option.name() + " is not supported by "
                    + channel.getClass().getSimpleName() + " on this platform");
        }
    }
}
