package io.pollen.bench.scale;

import java.net.InetSocketAddress;

/**
 * One way of sending {@code n} concurrent GETs of one path to one server and waiting for all the
 * answers. {@link #run} returns once every request has succeeded or failed; the caller times it.
 * Implementations start all {@code n} requests at once (no client-side concurrency cap) and read
 * each response completely.
 */
interface LoadClient extends AutoCloseable {
    /** DemoRoutes' constant answer: cheap for the server, the same for every client. */
    String WARM_UP_PATH = "/plaintext";

    /** Sets up what the client needs before the clock starts (a client object, a runtime). */
    default void prepare() throws Exception {
    }

    /**
     * One untimed request (to {@link #WARM_UP_PATH}) before the clock starts, so that the wall time
     * measures the scenario, not class loading and the one-time set-up of native bindings, the
     * HTTP stack or the virtual-thread scheduler. Its CPU still counts in the process total.
     */
    void warmUp(InetSocketAddress server) throws Exception;

    void run(InetSocketAddress server, String path, Outcome outcome) throws Exception;

    /**
     * Untimed, after each pass against {@code server}: lets go of what the pass left behind that
     * the next pass cannot use. The next pass goes to another port of the server, so connections
     * kept alive to this one would only hold file descriptors. Most clients keep nothing.
     */
    default void afterPass(InetSocketAddress server) throws Exception {
    }

    @Override
    default void close() throws Exception {
    }
}
