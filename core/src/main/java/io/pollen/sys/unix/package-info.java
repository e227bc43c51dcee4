/**
 * FFM bindings to the POSIX calls Pollen makes (internal, not exported): {@link io.pollen.sys.unix.Native}
 * (linker, errno capture, the one errno-to-exception path), {@link io.pollen.sys.unix.Unistd} (fd
 * calls), {@link io.pollen.sys.unix.Net} (socket calls), {@link io.pollen.sys.unix.SockAddr} and
 * {@link io.pollen.sys.unix.IoVec} (structs), {@link io.pollen.sys.unix.Scratch} (per-thread native
 * memory), {@link io.pollen.sys.unix.FdOpen} (fds opened non-blocking and close-on-exec on every OS),
 * {@link io.pollen.sys.unix.PeerCreds} and {@link io.pollen.sys.unix.Errno}. Every number that
 * differs between OSes comes from one {@link io.pollen.sys.unix.SocketAbi} profile (Linux, macOS,
 * FreeBSD), chosen once from {@code os.name}.
 *
 * <p>Every wrapper follows one convention: a result {@code >= 0} is returned; {@code EAGAIN} is
 * returned as {@link io.pollen.sys.unix.Native#WOULD_BLOCK}; {@code EINTR} is retried (except by
 * {@code close}); anything else throws {@link io.pollen.sys.NativeIOException} naming the call and the
 * errno. No wrapper allocates an {@code Arena}. No loop logic lives here.
 */
package io.pollen.sys.unix;
