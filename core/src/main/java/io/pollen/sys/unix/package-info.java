/**
 * FFM bindings to the POSIX calls Pollen makes (internal, not exported): {@link io.pollen.sys.unix.Native}
 * (linker, errno capture, the one errno-to-exception path), {@link io.pollen.sys.unix.Unistd} (fd
 * calls), {@link io.pollen.sys.unix.Net} (socket calls), {@link io.pollen.sys.unix.SockAddr} and
 * {@link io.pollen.sys.unix.IoVec} (structs), {@link io.pollen.sys.unix.Scratch} (per-thread native
 * memory) and {@link io.pollen.sys.unix.Errno}.
 *
 * <p>Every wrapper follows one convention: a result {@code >= 0} is returned; {@code EAGAIN} is
 * returned as {@link io.pollen.sys.unix.Native#WOULD_BLOCK}; {@code EINTR} is retried (except by
 * {@code close}); anything else throws {@link io.pollen.sys.NativeIOException} naming the call and the
 * errno. No wrapper allocates an {@code Arena}. No loop logic lives here.
 */
package io.pollen.sys.unix;
