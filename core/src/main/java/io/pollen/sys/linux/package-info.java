/**
 * FFM bindings to Linux-only calls and the Linux values of shared constants (internal):
 * {@link io.pollen.sys.linux.EPoll} (with the per-architecture {@code struct epoll_event}),
 * {@link io.pollen.sys.linux.EventFd} and {@link io.pollen.sys.linux.Linux}.
 */
package io.pollen.sys.linux;
