/**
 * FFM bindings to Linux-only calls and the Linux values of shared constants (internal):
 * {@link io.pollen.sys.linux.EPoll} (with the per-architecture {@code struct epoll_event}),
 * {@link io.pollen.sys.linux.EventFd}, {@link io.pollen.sys.linux.Linux}, io_uring's system calls and
 * constants ({@link io.pollen.sys.linux.IoUring}) with its structs ({@link io.pollen.sys.linux.IoUringLayout}),
 * and the {@code mmap} its rings need ({@link io.pollen.sys.linux.Mman}).
 */
package io.pollen.sys.linux;
