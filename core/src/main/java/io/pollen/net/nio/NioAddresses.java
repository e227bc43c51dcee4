package io.pollen.net.nio;

import io.pollen.net.UnixSocketAddress;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * Translates Unix socket addresses between Pollen's {@link UnixSocketAddress} and the JDK's
 * {@link UnixDomainSocketAddress}, which has paths only: no Linux abstract names.
 */
final class NioAddresses {
    private NioAddresses() {
    }

    /** What the nio backend says where it cannot do what the native backends do. */
    static UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException(what + ": java.nio cannot do this; "
                + "use a native backend (epoll on Linux, kqueue on macOS/BSD)");
    }

    /** The JDK address for {@code u}; refuses abstract and unnamed addresses. */
    static UnixDomainSocketAddress toNio(UnixSocketAddress u) {
        if (u.isAbstract()) {
            throw unsupported("abstract Unix socket name " + u);
        }
        if (u.isUnnamed()) {
            throw new IllegalArgumentException("an unnamed Unix socket address cannot be bound or connected to");
        }
        return UnixDomainSocketAddress.of(u.path());
    }

    /** A channel's address in Pollen's terms: JDK Unix addresses become {@link UnixSocketAddress}es. */
    static SocketAddress fromNio(SocketAddress a) {
        if (a instanceof UnixDomainSocketAddress u) {
            String p = u.getPath().toString();
            return p.isEmpty() ? UnixSocketAddress.unnamed() : UnixSocketAddress.of(u.getPath());
        }
        return a;
    }

}
