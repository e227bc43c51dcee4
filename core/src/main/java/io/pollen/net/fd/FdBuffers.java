package io.pollen.net.fd;

import io.pollen.sys.unix.IoVec;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.UnixNet;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Moves bytes between {@link ByteBuffer}s and socket calls without allocating native memory per
 * call. A direct buffer is passed as is ({@link MemorySegment#ofBuffer}); a heap buffer goes
 * through this thread's staging area ({@link Scratch#staging}), so a single transfer from a heap
 * buffer is capped at {@link Scratch#STAGING_MAX} bytes: a short read or write, which the
 * non-blocking contract allows. Buffer positions advance by what was transferred.
 *
 * <p>Results are the raw wrapper results: bytes, 0 (end of stream for reads), or
 * {@link Native#WOULD_BLOCK}; the socket classes turn them into java.nio's conventions.
 */
final class FdBuffers {
    private FdBuffers() {
    }

    private static final int RECV = 0;
    private static final int RECVFROM = 1;
    private static final int READ = 2;

    /** recv(2), or recvfrom(2) when {@code from} (the source is left in the scratch sockaddr). */
    static long receive(int fd, ByteBuffer dst, int flags, boolean from) throws IOException {
        return in(fd, dst, flags, from ? RECVFROM : RECV);
    }

    /** read(2), for fds that are not sockets (pipes). */
    static long read(int fd, ByteBuffer dst) throws IOException {
        return in(fd, dst, 0, READ);
    }

    private static long in(int fd, ByteBuffer dst, int flags, int how) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        int pos = dst.position();
        int rem = dst.limit() - pos;
        long n;
        if (dst.isDirect()) {
            n = in(fd, MemorySegment.ofBuffer(dst), rem, flags, how);
        } else {
            Scratch s = Scratch.get();
            MemorySegment staging = s.staging(rem);
            long len = Math.min(rem, staging.byteSize());
            n = in(fd, staging, len, flags, how);
            if (n > 0) {
                dst.put(pos, s.stagingBuffer(), 0, (int) n);
            }
            // A stream read capped by the staging area is not a short read: go on, so that fewer
            // bytes than dst had room for still means the queue was drained (TcpStream's contract,
            // which edge-triggered owners rely on; without this a read into a heap buffer of more
            // than STAGING_MAX bytes stopped early and its owner waited for an edge that never came).
            long chunk = n;
            while (how != RECVFROM && flags == 0 && chunk == len && n < rem) {
                len = Math.min(rem - n, staging.byteSize());
                chunk = in(fd, staging, len, 0, how);
                if (chunk <= 0) {
                    break; // would block, or the end of the stream: the next read reports it
                }
                dst.put(pos + (int) n, s.stagingBuffer(), 0, (int) chunk);
                n += chunk;
            }
        }
        if (n > 0) {
            dst.position(pos + (int) n);
        }
        return n;
    }

    private static long in(int fd, MemorySegment buf, long len, int flags, int how) throws IOException {
        return switch (how) {
            case RECV -> Net.recv(fd, buf, len, flags);
            case RECVFROM -> Net.recvfrom(fd, buf, len, flags);
            default -> Unistd.read(fd, buf, len);
        };
    }

    /**
     * send(2), or sendto(2) {@code target} when it is not null: an {@link InetSocketAddress}, or the
     * {@code sun_path} bytes (a {@code byte[]}) of a Unix address.
     */
    static long send(int fd, ByteBuffer src, int family, Object target) throws IOException {
        return out(fd, src, family, target, false);
    }

    /** write(2), for fds that are not sockets (pipes). */
    static long write(int fd, ByteBuffer src) throws IOException {
        return out(fd, src, 0, null, true);
    }

    private static long out(int fd, ByteBuffer src, int family, Object target, boolean plainWrite)
            throws IOException {
        int pos = src.position();
        int rem = src.limit() - pos;
        long n;
        if (src.isDirect()) {
            n = out(fd, MemorySegment.ofBuffer(src), rem, family, target, plainWrite);
        } else {
            Scratch s = Scratch.get();
            MemorySegment staging = s.staging(rem);
            int len = (int) Math.min(rem, staging.byteSize());
            s.stagingBuffer().put(0, src, pos, len);
            n = out(fd, staging, len, family, target, plainWrite);
        }
        if (n > 0) {
            src.position(pos + (int) n);
        }
        return n;
    }

    private static long out(int fd, MemorySegment buf, long len, int family, Object target, boolean plainWrite)
            throws IOException {
        if (plainWrite) {
            return Unistd.write(fd, buf, len);
        }
        return target == null ? Net.send(fd, buf, len, 0) : sendto(fd, buf, len, family, target);
    }

    private static long sendto(int fd, MemorySegment buf, long len, int family, Object target)
            throws IOException {
        if (target instanceof byte[] sunPath) {
            return UnixNet.sendto(fd, buf, len, sunPath);
        }
        return Net.sendto(fd, buf, len, 0, family, (InetSocketAddress) target);
    }

    /** readv(2) into {@code dsts[offset .. offset+length)}. */
    static long scatter(int fd, ByteBuffer[] dsts, int offset, int length) throws IOException {
        Scratch s = Scratch.get();
        int count = fill(s, dsts, offset, length, false);
        if (count == 0) {
            return 0;
        }
        long n = Unistd.readv(fd, s.iovecs(), count);
        if (n > 0) {
            advance(s, dsts, offset, length, n, true);
        }
        return n;
    }

    /** sendmsg(2) (writev with MSG_NOSIGNAL) from {@code srcs[offset .. offset+length)}. */
    static long gather(int fd, ByteBuffer[] srcs, int offset, int length) throws IOException {
        return gather(fd, srcs, offset, length, false);
    }

    /** writev(2), for fds that are not sockets (pipes). */
    static long gatherWritev(int fd, ByteBuffer[] srcs, int offset, int length) throws IOException {
        return gather(fd, srcs, offset, length, true);
    }

    private static long gather(int fd, ByteBuffer[] srcs, int offset, int length, boolean writev) throws IOException {
        Scratch s = Scratch.get();
        int count = fill(s, srcs, offset, length, true);
        if (count == 0) {
            return 0;
        }
        long n;
        if (writev) {
            n = Unistd.writev(fd, s.iovecs(), count);
        } else {
            IoVec.msghdr(s.msghdr, s.iovecs(), count);
            n = Net.sendmsg(fd, s.msghdr, 0);
        }
        if (n > 0) {
            advance(s, srcs, offset, length, n, false);
        }
        return n;
    }

    /**
     * Fills this thread's iovec array for the buffers' remaining bytes, heap buffers through the
     * staging area (copied in when {@code copyIn}). Stops at {@link IoVec#MAX} entries or when the
     * staging area is full; empty buffers are skipped. Returns the number of iovecs.
     */
    private static int fill(Scratch s, ByteBuffer[] bufs, int offset, int length, boolean copyIn) {
        long heap = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = bufs[i];
            if (!copyIn && b.isReadOnly()) {
                throw new IllegalArgumentException("read-only buffer");
            }
            if (!b.isDirect()) {
                heap += b.remaining();
            }
        }
        MemorySegment staging = heap > 0 ? s.staging(heap) : MemorySegment.NULL;
        MemorySegment iov = s.iovecs();
        long staged = 0;
        int count = 0;
        for (int i = offset; i < offset + length && count < IoVec.MAX; i++) {
            ByteBuffer b = bufs[i];
            int rem = b.remaining();
            if (rem == 0) {
                continue;
            }
            if (b.isDirect()) {
                IoVec.set(iov, count++, MemorySegment.ofBuffer(b), rem);
                continue;
            }
            long room = staging.byteSize() - staged;
            if (room == 0) {
                break;
            }
            int len = (int) Math.min(rem, room);
            if (copyIn) {
                s.stagingBuffer().put((int) staged, b, b.position(), len);
            }
            IoVec.set(iov, count++, staging.address() + staged, len);
            staged += len;
        }
        return count;
    }

    /**
     * Advances the buffers, in order, by the {@code n} bytes the call transferred, copying heap
     * buffers' bytes out of the staging area when {@code copyOut}. Walks the buffers as
     * {@link #fill} did, so the staging offsets match.
     */
    private static void advance(Scratch s, ByteBuffer[] bufs, int offset, int length, long n, boolean copyOut) {
        long left = n;
        int staged = 0;
        for (int i = offset; i < offset + length && left > 0; i++) {
            ByteBuffer b = bufs[i];
            int pos = b.position();
            int take = (int) Math.min(left, b.remaining());
            if (take == 0) {
                continue;
            }
            if (!b.isDirect()) {
                if (copyOut) {
                    b.put(pos, s.stagingBuffer(), staged, take);
                }
                staged += take;
            }
            b.position(pos + take);
            left -= take;
        }
    }
}
