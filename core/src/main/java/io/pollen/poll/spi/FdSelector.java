package io.pollen.poll.spi;

import java.nio.channels.SelectableChannel;
import java.util.Locale;

/**
 * A {@link Selector} of file descriptors (epoll, kqueue): java.nio channels are refused, with a
 * message that says which backend the source was opened for and what to do instead.
 */
public interface FdSelector extends Selector {

    @Override
    default void register(SelectableChannel channel, long token, int interest) {
        throw channelSource(channel);
    }

    @Override
    default void reregister(SelectableChannel channel, long token, int interest) {
        throw channelSource(channel);
    }

    @Override
    default void deregister(SelectableChannel channel) {
        throw channelSource(channel);
    }

    private IllegalArgumentException channelSource(SelectableChannel channel) {
        return new IllegalArgumentException("cannot watch " + channel.getClass().getSimpleName()
                + " with the " + name() + " backend: the source was opened for the nio backend (a java.nio channel);"
                + " open the Poll with Backend.NIO, or open the socket for Backend." + name().toUpperCase(Locale.ROOT));
    }
}
