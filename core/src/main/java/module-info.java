/**
 * Pollen: the Reactor-Executor pattern for Java.
 *
 * <ul>
 *   <li>{@link io.pollen.poll} — the event queue (mio's contract): {@code Poll}, {@code Registry},
 *       {@code Events}, {@code Interest}, {@code Token}, {@code Waker}, {@code Source}.</li>
 *   <li>{@link io.pollen.net} — non-blocking TCP, UDP and Unix domain sockets and pipes that register
 *       with a {@code Poll}.</li>
 *   <li>{@link io.pollen.runtime} — the Reactor, the Executor, tasks, timers and async I/O.</li>
 *   <li>{@link io.pollen.tls} — TLS (the JDK's SSLEngine) on the async and readiness-driven streams.</li>
 *   <li>{@link io.pollen.sys} — only the error type of native calls; the bindings stay internal.</li>
 * </ul>
 */
module io.pollen {
    requires jdk.jfr;
    exports io.pollen.sys;
    exports io.pollen.poll;
    exports io.pollen.net;
    exports io.pollen.runtime;
    exports io.pollen.tls;
}
