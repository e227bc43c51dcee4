package io.pollen.poll.spi;

import io.pollen.poll.Interest;
import io.pollen.poll.Poll;
import io.pollen.poll.Source;
import io.pollen.poll.Token;

import java.io.IOException;

/**
 * A {@link Driver} whose sources register through a {@link Poll}'s Registry (so that Pollen's
 * sockets check their flavor and their one owner as they do for any Poll), written once for the
 * readiness driver and io_uring's loop driver. Internal.
 */
public interface PollDriver extends Driver {

    /** The Poll the sources register with; its selector is the driver's registration side. */
    Poll poll();

    @Override
    default void register(Source source, long token, Interest interest) throws IOException {
        poll().registry().register(source, Token.of(token), interest);
    }

    @Override
    default void reregister(Source source, long token, Interest interest) throws IOException {
        poll().registry().reregister(source, Token.of(token), interest);
    }

    @Override
    default void deregister(Source source) throws IOException {
        poll().registry().deregister(source);
    }
}
