/**
 * The native-fd flavor of Pollen's sockets (internal): TCP and UDP sockets as non-blocking,
 * close-on-exec file descriptors driven through FFM, for the epoll (and later kqueue) backends.
 * {@link io.pollen.net.fd.FdSocketFactory} opens them; the public {@code io.pollen.net} types wrap
 * them. Return conventions are java.nio's (reads -1 at end of stream, 0 when they would block).
 */
package io.pollen.net.fd;
