/**
 * The portable backend (internal): {@link io.pollen.poll.nio.NioSelector} drives a
 * {@link java.nio.channels.Selector} so that it keeps the SPI's platform contract. It runs wherever
 * the JDK runs, and {@code -Dpollen.backend=nio} forces it on Linux too so that it is tested there.
 *
 * <p>What java.nio cannot do, and what this backend does instead: it is level-triggered (edge
 * triggering is emulated by disarming a reported readiness until the owner re-arms it after a
 * would-block), it cannot report error / read-closed / write-closed / priority (the I/O that
 * follows tells), it cannot watch raw fds, and its timeouts are whole milliseconds.
 */
package io.pollen.poll.nio;
