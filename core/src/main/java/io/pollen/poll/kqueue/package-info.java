/**
 * The kqueue backend (internal): {@link io.pollen.poll.kqueue.KqueueSelector}, on macOS and
 * FreeBSD natively, and on Linux over a libkqueue build named by {@code -Dpollen.kqueue.library}.
 */
package io.pollen.poll.kqueue;
