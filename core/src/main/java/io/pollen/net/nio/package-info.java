/**
 * The java.nio flavor of Pollen's sockets (internal): TCP and UDP sockets as non-blocking
 * {@link java.nio.channels.SocketChannel}, {@link java.nio.channels.ServerSocketChannel} and
 * {@link java.nio.channels.DatagramChannel}s, for the nio backend.
 * {@link io.pollen.net.nio.NioSocketFactory} opens them; the public {@code io.pollen.net} types wrap
 * them.
 *
 * <p>Each socket's source remembers the registry it was registered with and re-arms the readiness
 * an operation found missing ("would block"): the nio backend's edge triggering depends on it.
 * Where java.nio lacks a feature the difference is documented on the public types: no unicast TTL,
 * {@code peek} emulated with a buffer, a failed connect closes the channel, no {@code SO_ERROR}
 * beyond the connect.
 */
package io.pollen.net.nio;
