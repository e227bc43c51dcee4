package io.pollen.sys.unix;


import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * {@code struct iovec} and {@code struct msghdr} (LP64), for readv/writev/sendmsg.
 *
 * <pre>
 * struct iovec {
 *     void  *iov_base;
 *     size_t iov_len;
 * };
 *
 * struct msghdr {
 *     void         *msg_name;        // optional address
 *     socklen_t     msg_namelen;
 *     struct iovec *msg_iov;         // scatter/gather array
 *     size_t        msg_iovlen;      // (int on the BSDs)
 *     void         *msg_control;
 *     size_t        msg_controllen;  // (socklen_t on the BSDs)
 *     int           msg_flags;
 * };
 * </pre>
 *
 * <p>{@code msghdr} is chosen per {@link SocketAbi}: 56 bytes on Linux; 48 on macOS and FreeBSD,
 * whose {@code msg_iovlen} is an {@code int} (padded) and whose {@code msg_controllen} and
 * {@code msg_flags} share the last 8 bytes.
 */
public final class IoVec {
    private IoVec() {
    }

    /** The most iovecs one call takes. */
    public static final int MAX = SocketAbi.CURRENT.IOV_MAX;

    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("iov_base"),
            ValueLayout.JAVA_LONG.withName("iov_len"));

    /** This OS's {@code struct msghdr}. */
    public static final StructLayout MSGHDR = msghdrLayout(SocketAbi.CURRENT);

    /** {@code struct msghdr} of {@code abi}. */
    public static StructLayout msghdrLayout(SocketAbi abi) {
        if (abi.sinLen) { // the 4.4BSD layout (macOS, FreeBSD)
            return MemoryLayout.structLayout(
                    ValueLayout.ADDRESS.withName("msg_name"),
                    ValueLayout.JAVA_INT.withName("msg_namelen"),
                    MemoryLayout.paddingLayout(4),
                    ValueLayout.ADDRESS.withName("msg_iov"),
                    ValueLayout.JAVA_INT.withName("msg_iovlen"),
                    MemoryLayout.paddingLayout(4),
                    ValueLayout.ADDRESS.withName("msg_control"),
                    ValueLayout.JAVA_INT.withName("msg_controllen"),
                    ValueLayout.JAVA_INT.withName("msg_flags"));
        }
        return MemoryLayout.structLayout(
                ValueLayout.ADDRESS.withName("msg_name"),
                ValueLayout.JAVA_INT.withName("msg_namelen"),
                MemoryLayout.paddingLayout(4),
                ValueLayout.ADDRESS.withName("msg_iov"),
                ValueLayout.JAVA_LONG.withName("msg_iovlen"),
                ValueLayout.ADDRESS.withName("msg_control"),
                ValueLayout.JAVA_LONG.withName("msg_controllen"),
                ValueLayout.JAVA_INT.withName("msg_flags"),
                MemoryLayout.paddingLayout(4));
    }

    private static final boolean BSD_MSGHDR = SocketAbi.CURRENT.sinLen;

    private static final long SIZE = IOVEC.byteSize();
    private static final long BASE = IOVEC.byteOffset(groupElement("iov_base"));
    private static final long LEN = IOVEC.byteOffset(groupElement("iov_len"));
    private static final long MSG_NAME = MSGHDR.byteOffset(groupElement("msg_name"));
    private static final long MSG_NAMELEN = MSGHDR.byteOffset(groupElement("msg_namelen"));
    private static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
    private static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
    private static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
    private static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
    private static final long MSG_FLAGS = MSGHDR.byteOffset(groupElement("msg_flags"));

    /** Sets iovec {@code i} of {@code array} to {@code len} bytes at {@code base}. */
    public static void set(MemorySegment array, int i, MemorySegment base, long len) {
        array.set(ValueLayout.ADDRESS, i * SIZE + BASE, base);
        array.set(ValueLayout.JAVA_LONG, i * SIZE + LEN, len);
    }

    /** Sets iovec {@code i} to {@code len} bytes at native {@code address} (LP64: pointers are 64-bit). */
    public static void set(MemorySegment array, int i, long address, long len) {
        array.set(ValueLayout.JAVA_LONG, i * SIZE + BASE, address);
        array.set(ValueLayout.JAVA_LONG, i * SIZE + LEN, len);
    }

    /** Fills {@code msghdr} for a plain gather/scatter without address or control data. */
    public static void msghdr(MemorySegment msghdr, MemorySegment iovecs, int count) {
        msghdr.set(ValueLayout.ADDRESS, MSG_NAME, MemorySegment.NULL);
        msghdr.set(ValueLayout.JAVA_INT, MSG_NAMELEN, 0);
        msghdr.set(ValueLayout.ADDRESS, MSG_IOV, iovecs);
        if (BSD_MSGHDR) {
            msghdr.set(ValueLayout.JAVA_INT, MSG_IOVLEN, count);
            msghdr.set(ValueLayout.JAVA_INT, MSG_CONTROLLEN, 0);
        } else {
            msghdr.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, count);
            msghdr.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, 0L);
        }
        msghdr.set(ValueLayout.ADDRESS, MSG_CONTROL, MemorySegment.NULL);
        msghdr.set(ValueLayout.JAVA_INT, MSG_FLAGS, 0);
    }
}
