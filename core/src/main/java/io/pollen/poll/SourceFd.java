package io.pollen.poll;

import java.io.IOException;

/**
 * A raw file descriptor as a {@link Source}, for the native backends (epoll, kqueue). The caller
 * keeps owning the fd: it must be non-blocking, and it must be deregistered before it is closed.
 *
 * <p>On the nio backend, registering a {@code SourceFd} throws {@link IllegalArgumentException}:
 * java.nio cannot watch a raw fd. Use {@link SourceChannel} there.
 *
 * @param fd the file descriptor
 */
public record SourceFd(int fd) implements Source {
    public SourceFd {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
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
