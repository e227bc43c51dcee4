/**
 * The event queue, mio's contract in Java: {@link io.pollen.poll.Poll}, {@link io.pollen.poll.Registry},
 * {@link io.pollen.poll.Events}/{@link io.pollen.poll.Event}, {@link io.pollen.poll.Interest},
 * {@link io.pollen.poll.Token}, {@link io.pollen.poll.Waker}, {@link io.pollen.poll.Source}.
 *
 * <p>Backends (epoll, nio, io_uring; kqueue later) implement the internal SPI
 * {@code io.pollen.poll.spi.Selector}, whose Javadoc states the platform contract once.
 */
package io.pollen.poll;
