package io.pollen.net.fd;

import io.pollen.sys.unix.IoVec;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.Scratch;
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

    /** recv(2), or recvfrom(2) when {@code from} (the source is left in the scratch sockaddr). */
    static long receive(int fd, ByteBuffer dst, int flags, boolean from) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        int pos = dst.position();
        int rem = dst.limit() - pos;
        long n;
        if (dst.isDirect()) {
            MemorySegment seg = MemorySegment.ofBuffer(dst);
            n = from ? Net.recvfrom(fd, seg, rem, flags) : Net.recv(fd, seg, rem, flags);
        } else {
            Scratch s = Scratch.get();
            MemorySegment staging = s.staging(rem);
            long len = Math.min(rem, staging.byteSize());
            n = from ? Net.recvfrom(fd, staging, len, flags) : Net.recv(fd, staging, len, flags);
            if (n > 0) {
                dst.put(pos, s.stagingBuffer(), 0, (int) n);
            }
            // A stream read capped by the staging area is not a short read: go on, so that fewer
            // bytes than dst had room for still means the queue was drained (TcpStream's contract,
            // which edge-triggered owners rely on; without this a read into a heap buffer of more
            // than STAGING_MAX bytes stopped early and its owner waited for an edge that never came).
            long chunk = n;
            while (!from && flags == 0 && chunk == len && n < rem) {
                len = Math.min(rem - n, staging.byteSize());
                chunk = Net.recv(fd, staging, len, 0);
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

    /** send(2), or sendto(2) {@code target} when it is not null. */
    static long send(int fd, ByteBuffer src, int family, InetSocketAddress target) throws IOException {
        int pos = src.position();
        int rem = src.limit() - pos;
        long n;
        if (src.isDirect()) {
            MemorySegment seg = MemorySegment.ofBuffer(src);
            n = target == null ? Net.send(fd, seg, rem, 0) : Net.sendto(fd, seg, rem, 0, family, target);
        } else {
            Scratch s = Scratch.get();
            MemorySegment staging = s.staging(rem);
            int len = (int) Math.min(rem, staging.byteSize());
            s.stagingBuffer().put(0, src, pos, len);
            n = target == null ? Net.send(fd, staging, len, 0) : Net.sendto(fd, staging, len, 0, family, target);
        }
        if (n > 0) {
            src.position(pos + (int) n);
        }
        return n;
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
        Scratch s = Scratch.get();
        int count = fill(s, srcs, offset, length, true);
        if (count == 0) {
            return 0;
        }
        IoVec.msghdr(s.msghdr, s.iovecs(), count);
        long n = Net.sendmsg(fd, s.msghdr, 0);
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
