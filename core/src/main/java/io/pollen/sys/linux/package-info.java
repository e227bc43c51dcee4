/**
 * FFM bindings to Linux-only calls (internal), built on {@code io.pollen.sys.unix}:
 * {@link io.pollen.sys.linux.EPoll} (with the per-architecture {@code struct epoll_event}),
 * {@link io.pollen.sys.linux.EventFd}, io_uring's system calls and constants
 * ({@link io.pollen.sys.linux.IoUring}) with its structs ({@link io.pollen.sys.linux.IoUringLayout}),
 * and the {@code mmap} its rings need ({@link io.pollen.sys.linux.Mman}). The Linux values of the
 * POSIX constants live with the POSIX calls, in {@link io.pollen.sys.unix.Linux}.
 */
package io.pollen.sys.linux;
