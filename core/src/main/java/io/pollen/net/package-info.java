/**
 * Non-blocking TCP and UDP sockets that register with a {@link io.pollen.poll.Poll}:
 * {@link io.pollen.net.TcpListener}, {@link io.pollen.net.TcpStream}, {@link io.pollen.net.UdpSocket},
 * for IPv4 and IPv6; Unix domain sockets {@link io.pollen.net.UnixListener},
 * {@link io.pollen.net.UnixStream}, {@link io.pollen.net.UnixDatagram} (socket files and Linux
 * abstract names, {@link io.pollen.net.UnixSocketAddress}); and unnamed pipes
 * ({@link io.pollen.net.Pipe}). {@link io.pollen.net.StreamSocket} is what TCP and Unix streams share.
 *
 * <p>Conventions shared by all of them: nothing blocks (reads return -1 at end of stream and 0 when
 * they would block; writes return 0 when they would block); readiness is edge-triggered, so after
 * an event the owner reads or writes until "would block"; addresses must be resolved (no hidden
 * DNS); a socket is used by one thread at a time.
 *
 * <p>On the native backends a socket is a file descriptor opened non-blocking and close-on-exec
 * through FFM; on the nio backend it is a java.nio channel. A socket registers only with a Poll of
 * its own kind ({@link io.pollen.net.Sockets#factory} picks the kind; registering with the other
 * throws {@link java.lang.IllegalArgumentException}). Each type's Javadoc lists what differs
 * between the backends.
 */
package io.pollen.net;
