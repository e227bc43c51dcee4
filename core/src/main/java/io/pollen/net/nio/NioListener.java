package io.pollen.net.nio;

import io.pollen.net.spi.ListenerImpl;
import io.pollen.net.spi.StreamImpl;
import io.pollen.poll.Interest;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@link ServerSocketChannel}; accept re-arms READABLE when nothing is pending. */
final class NioListener extends NioSocket<ServerSocketChannel> implements ListenerImpl {
    static {
        // exhaustion() runs when no descriptor is free, too few to load a class from a directory
        Errno.name(Errno.EMFILE);
        NativeIOException.isResourceExhaustion(new NativeIOException("accept", Errno.EMFILE, "EMFILE", ""));
    }

    NioListener(ServerSocketChannel channel) {
        super(channel);
    }

    @Override
    public StreamImpl accept() throws IOException {
        SocketChannel accepted;
        try {
            accepted = channel.accept();
        } catch (IOException e) {
            throw exhaustion(e);
        }
        if (accepted == null) {
            source.rearm(Interest.READABLE);
            return null;
        }
        try {
            accepted.configureBlocking(false);
            return new NioStream(accepted);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    /**
     * The JDK reports {@code EMFILE} and {@code ENFILE} as a bare IOException with the C library's
     * text; name them as the native backend does, so that a server can tell "out of descriptors,
     * back off" from a real failure on every backend.
     */
    private static IOException exhaustion(IOException e) {
        String m = e.getMessage();
        int errno = "Too many open files".equals(m) ? Errno.EMFILE
                : "Too many open files in system".equals(m) ? Errno.ENFILE : -1;
        if (errno < 0 || e.getClass() != IOException.class) {
            return e;
        }
        NativeIOException named = new NativeIOException("accept", errno, Errno.name(errno), m);
        named.initCause(e);
        return named;
    }
}
