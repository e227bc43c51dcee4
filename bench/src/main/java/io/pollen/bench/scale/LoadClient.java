package io.pollen.bench.scale;

import java.net.InetSocketAddress;

/**
 * One way of sending {@code n} concurrent GETs of one path to one server and waiting for all the
 * answers. {@link #run} returns once every request has succeeded or failed; the caller times it.
 * Implementations start all {@code n} requests at once (no client-side concurrency cap) and read
 * each response completely.
 */
interface LoadClient extends AutoCloseable {

    /** Sets up what the client needs before the clock starts (a client object, a runtime). */
    default void prepare() throws Exception {
    }

    void run(InetSocketAddress server, String path, Outcome outcome) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
