package io.pollen.poll.epoll;

import io.pollen.poll.spi.Selector;

/** PLACEHOLDER until the epoll backend lands (replaced on its branch). */
public final class EpollSelector {
    private EpollSelector() {
    }

    public static Selector open() {
        throw new UnsupportedOperationException("the epoll backend is being built");
    }
}
