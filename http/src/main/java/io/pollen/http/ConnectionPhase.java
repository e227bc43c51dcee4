package io.pollen.http;

/**
 * Where a {@link ServerConnection} is in its life. Enum constants are shared, so a phase change
 * allocates nothing.
 */
enum ConnectionPhase {
    /** Parsing a request head (also between keep-alive requests). */
    HEAD,
    /** Reading the current request's body. */
    BODY,
    /** An async handler runs; pipelined bytes wait in the input buffer and the socket. */
    HANDLING,
    /** The last response went out: output shut down, input drained for a bounded time. */
    LINGER,
    /** Closed: descriptor released; every later event is ignored. */
    CLOSED
}
