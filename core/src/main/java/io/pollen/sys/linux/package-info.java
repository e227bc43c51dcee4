/**
 * FFM bindings to Linux-only calls (internal), built on {@code io.pollen.sys.unix}:
 * {@link io.pollen.sys.linux.EPoll} (with the per-architecture {@code struct epoll_event}),
 * {@link io.pollen.sys.linux.EventFd}. The Linux values of the POSIX constants live with the POSIX
 * calls, in {@link io.pollen.sys.unix.Linux}.
 */
package io.pollen.sys.linux;
