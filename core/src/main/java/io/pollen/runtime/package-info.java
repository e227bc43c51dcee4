/**
 * The Reactor, the Executor and tasks: event loops that poll and run tasks on one thread, timers,
 * async TCP/UDP and Unix streams and datagrams, and a {@code Runtime} that wires them.
 */
package io.pollen.runtime;
