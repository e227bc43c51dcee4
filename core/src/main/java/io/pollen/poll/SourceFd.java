package io.pollen.poll;

import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.Unistd;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;

/**
 * A raw file descriptor as a {@link Source}, for the native backends (epoll, kqueue): any fd a
 * caller owns, such as {@link #stdin()}, a pipe or a socket opened elsewhere, or a
 * {@link FileDescriptor} ({@link #of(FileDescriptor)}). The caller keeps owning the fd: it must be
 * deregistered before it is closed, and it should be non-blocking ({@link #setNonBlocking}), since
 * readiness is edge-triggered and the owner drains it until "would block".
 *
 * <p>What can be registered is the kernel's call: pipes, FIFOs, sockets, terminals, eventfds,
 * character devices; epoll refuses regular files and directories with {@code EPERM} (they are
 * always ready).
 *
 * <p><b>Not on the nio backend:</b> java.nio cannot watch a raw fd, so registering a
 * {@code SourceFd} with a nio Poll throws {@link IllegalArgumentException}; there is no way to
 * watch {@code stdin} (or any {@code FileDescriptor}) on nio. Use {@link SourceChannel} there.
 *
 * @param fd the file descriptor
 */
public record SourceFd(int fd) implements Source {
    public SourceFd {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
    }

    /** Standard input, fd 0. Share it with care: {@link #setNonBlocking} affects every process using it. */
    public static SourceFd stdin() {
        return new SourceFd(0);
    }

    /**
     * The fd behind {@code descriptor}. {@link FileDescriptor#in}, {@link FileDescriptor#out} and
     * {@link FileDescriptor#err} are 0, 1 and 2. For any other descriptor the number is private to
     * {@code java.io}: reading it needs {@code --add-opens java.base/java.io=io.pollen} (or
     * {@code =ALL-UNNAMED} on the class path); without it this throws
     * {@link UnsupportedOperationException} saying so.
     *
     * @throws IllegalArgumentException if the descriptor is not valid (closed)
     */
    public static SourceFd of(FileDescriptor descriptor) {
        if (descriptor == FileDescriptor.in) {
            return new SourceFd(0);
        } else if (descriptor == FileDescriptor.out) {
            return new SourceFd(1);
        } else if (descriptor == FileDescriptor.err) {
            return new SourceFd(2);
        }
        if (!descriptor.valid()) {
            throw new IllegalArgumentException("the FileDescriptor is not valid (closed?)");
        }
        try {
            Field f = FileDescriptor.class.getDeclaredField("fd");
            f.setAccessible(true);
            return new SourceFd(f.getInt(descriptor));
        } catch (ReflectiveOperationException | RuntimeException e) {
            UnsupportedOperationException u = new UnsupportedOperationException(
                    "cannot read the fd number of a FileDescriptor: java.io keeps it private; run with "
                            + "--add-opens java.base/java.io=io.pollen (or =ALL-UNNAMED on the class path), "
                            + "or pass the number to new SourceFd(int)");
            u.initCause(e);
            throw u;
        }
    }

    /**
     * Sets or clears {@code O_NONBLOCK} on the fd ({@code fcntl}). It is a flag of the open file
     * description: a terminal or pipe shared with a parent shell becomes non-blocking for it too.
     *
     * @return this
     */
    public SourceFd setNonBlocking(boolean on) throws IOException {
        int flags = Unistd.fcntl(fd, SocketAbi.CURRENT.F_GETFL, 0);
        int wanted = on ? flags | SocketAbi.CURRENT.O_NONBLOCK : flags & ~SocketAbi.CURRENT.O_NONBLOCK;
        if (wanted != flags) {
            Unistd.fcntl(fd, SocketAbi.CURRENT.F_SETFL, wanted);
        }
        return this;
    }

    @Override
    public void register(Registry registry, Token token, Interest interest) throws IOException {
        registry.selector().register(fd, token.value(), interest.bits());
    }

    @Override
    public void reregister(Registry registry, Token token, Interest interest) throws IOException {
        registry.selector().reregister(fd, token.value(), interest.bits());
    }

    @Override
    public void deregister(Registry registry) throws IOException {
        registry.selector().deregister(fd);
    }
}
