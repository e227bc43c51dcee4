package io.pollen.net;

import io.pollen.net.spi.SocketImpl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The socket file a {@link UnixListener} or bound {@link UnixDatagram} created, remembered by its
 * identity (device and inode) so that closing removes that file and no other.
 *
 * <p>Why the identity: between bind and close, someone may have removed the file and bound a new
 * socket at the same path (a second instance of the server, a restart). Deleting by path alone
 * would pull the file from under that socket. So {@link #remove()} deletes the path only if it
 * still names the file bind created. A narrow race remains (the file replaced between the check
 * and the unlink); the kernel offers no unlink-if-same-inode call.
 */
final class SocketFile {
    private final Path path;
    private final Object dev;
    private final Object ino;

    private SocketFile(Path path, Object dev, Object ino) {
        this.path = path;
        this.dev = dev;
        this.ino = ino;
    }

    /** The identity of the file {@code address} names right after bind; {@code null} if it has no file. */
    static SocketFile of(UnixSocketAddress address) {
        Path p = address.path();
        if (p == null) {
            return null;   // abstract or unnamed: nothing on disk
        }
        Map<String, Object> id = identity(p);
        return id == null ? null : new SocketFile(p, id.get("dev"), id.get("ino"));
    }

    /** Closes {@code impl}, then removes {@code file} (if any) when this call was the one that closed it. */
    static void close(SocketImpl impl, SocketFile file) throws IOException {
        boolean wasOpen = impl.isOpen();
        try {
            impl.close();
        } finally {
            if (wasOpen && file != null) {
                file.remove();
            }
        }
    }

    /** Deletes the file if it is still the one bind created; never throws (it runs inside close). */
    void remove() {
        Map<String, Object> id = identity(path);
        if (id == null || !dev.equals(id.get("dev")) || !ino.equals(id.get("ino"))) {
            return;   // gone, or replaced by someone else's socket: leave it
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException ignored) {
            // A file we cannot remove (directory permissions changed) stays; close itself succeeded.
        }
    }

    private static Map<String, Object> identity(Path p) {
        try {
            return Files.readAttributes(p, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException | RuntimeException noUnixView) {
            return null;   // no "unix" attribute view (not a Unix file system): never delete blindly
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
