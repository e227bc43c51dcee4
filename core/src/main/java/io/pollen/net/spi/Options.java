package io.pollen.net.spi;

import io.pollen.net.PeerCredentials;

import java.net.SocketOption;

/** Socket options that {@link java.net.StandardSocketOptions} lacks. */
public final class Options {
    private Options() {
    }

    /** Unicast time-to-live / hop limit ({@code IP_TTL}, {@code IPV6_UNICAST_HOPS}). */
    public static final SocketOption<Integer> IP_TTL = new SocketOption<>() {
        @Override
        public String name() {
            return "IP_TTL";
        }

        @Override
        public Class<Integer> type() {
            return Integer.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /** A Unix stream's peer credentials ({@code SO_PEERCRED}, or {@code getpeereid} on macOS/FreeBSD); read-only. */
    public static final SocketOption<PeerCredentials> PEER_CREDENTIALS = new SocketOption<>() {
        @Override
        public String name() {
            return "SO_PEERCRED";
        }

        @Override
        public Class<PeerCredentials> type() {
            return PeerCredentials.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };
}
