package io.pollen.poll.nio;

import io.pollen.poll.spi.Selector;

/** PLACEHOLDER until the nio backend lands (replaced on its branch). */
public final class NioSelector {
    private NioSelector() {
    }

    public static Selector open() {
        throw new UnsupportedOperationException("the nio backend is being built");
    }
}
