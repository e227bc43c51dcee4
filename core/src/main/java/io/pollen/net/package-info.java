/**
 * Non-blocking TCP and UDP sockets that register with a {@link io.pollen.poll.Poll}:
 * {@code TcpListener}, {@code TcpStream}, {@code UdpSocket}, for IPv4 and IPv6.
 *
 * <p>On the native backends a socket is a file descriptor opened non-blocking and close-on-exec
 * through FFM; on the nio backend it is a java.nio channel. A socket registers only with a Poll of
 * its own kind; {@link io.pollen.poll.Backend} says which is which.
 */
package io.pollen.net;
