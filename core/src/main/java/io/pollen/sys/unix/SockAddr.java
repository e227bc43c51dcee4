package io.pollen.sys.unix;


import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Socket addresses in native memory, and the one encoder/decoder between them and
 * {@link InetSocketAddress} (IPv4, IPv6, IPv4-mapped IPv6, scope ids) or {@code sun_path} bytes.
 * The layouts differ per {@link SocketAbi}: Linux has a 16-bit family at offset 0; macOS and the
 * BSDs a length byte at offset 0 and an 8-bit family at offset 1. Every method has a form that
 * takes the profile (tests check the BSD bytes on Linux) and one for {@link SocketAbi#CURRENT}.
 *
 * <pre>
 * // Linux                                // macOS, FreeBSD
 * struct sockaddr_in {                    struct sockaddr_in {
 *     sa_family_t    sin_family; // u16       uint8_t        sin_len;     // 16
 *     in_port_t      sin_port;   // BE        sa_family_t    sin_family;  // u8
 *     struct in_addr sin_addr;   // BE        in_port_t      sin_port;    // BE
 *     unsigned char  sin_zero[8];             struct in_addr sin_addr;    // BE
 * };                         // 16 bytes      char           sin_zero[8];
 *                                         };                          // 16 bytes
 * struct sockaddr_in6 {                   struct sockaddr_in6 {
 *     sa_family_t     sin6_family;            uint8_t         sin6_len;   // 28
 *     in_port_t       sin6_port;              sa_family_t     sin6_family;
 *     uint32_t        sin6_flowinfo;          in_port_t       sin6_port;  ...as Linux from here
 *     struct in6_addr sin6_addr;
 *     uint32_t        sin6_scope_id;
 * };                         // 28 bytes  };                          // 28 bytes
 * struct sockaddr_un {                    struct sockaddr_un {
 *     sa_family_t sun_family;                 unsigned char sun_len;
 *     char        sun_path[108];              sa_family_t   sun_family;   // u8
 * };                        // 110 bytes      char          sun_path[104];
 *                                         };                          // 106 bytes
 * struct sockaddr_storage: 128 bytes everywhere.
 * </pre>
 *
 * <p>Ports, flow info, addresses and scope ids sit at the same offsets in both: only the first two
 * bytes differ. A filesystem path must leave room for its terminating NUL; a Linux abstract name
 * (first byte NUL) is length-delimited and may fill {@code sun_path}. On the BSDs a {@code sun_path}
 * that starts with NUL is an unnamed socket.
 */
public final class SockAddr {
    private SockAddr() {
    }

    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    // Named as on Linux; on the BSDs the first short is sin_len (u8) and sin_family (u8).
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            PORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin6_family"),
            PORT.withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id"));

    /** {@code sizeof(struct sockaddr_storage)}: room for any address. */
    public static final long STORAGE_SIZE = 128;

    private static final long FAMILY = 0;
    private static final long PORT_OFF = SOCKADDR_IN.byteOffset(groupElement("sin_port"));
    private static final long IN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    private static final long IN6_FLOW = SOCKADDR_IN6.byteOffset(groupElement("sin6_flowinfo"));
    private static final long IN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    private static final long IN6_SCOPE = SOCKADDR_IN6.byteOffset(groupElement("sin6_scope_id"));

    /** {@code offsetof(struct sockaddr_un, sun_path)} on every supported OS. */
    private static final int SUN_PATH = 2;

    /** {@code sizeof(sun_path)} on this OS: 108 on Linux, 104 on macOS and the BSDs. */
    public static final int SUN_PATH_SIZE = SocketAbi.CURRENT.SUN_PATH_SIZE;
    /** Whether this OS has abstract socket names (Linux). */
    public static final boolean ABSTRACT_NAMES = SocketAbi.CURRENT.abstractNames;

    /**
     * The longest filesystem path a {@code sockaddr_un} holds on this OS, in bytes:
     * {@link #SUN_PATH_SIZE} minus the terminating NUL (107 on Linux, 103 on macOS / BSD).
     */
    public static final int MAX_PATH_BYTES = SUN_PATH_SIZE - 1;

    /** Writes the family (and on the BSDs the length byte) at the start of an address. */
    private static void header(MemorySegment dst, int family, int len, SocketAbi abi) {
        if (abi.sinLen) {
            dst.set(ValueLayout.JAVA_BYTE, 0, (byte) len);
            dst.set(ValueLayout.JAVA_BYTE, 1, (byte) family);
        } else {
            dst.set(ValueLayout.JAVA_SHORT, FAMILY, (short) family);
        }
    }

    /** Reads the family of an address: a u16 on Linux, the byte at offset 1 on the BSDs. */
    public static int family(MemorySegment src, SocketAbi abi) {
        return abi.sinLen ? src.get(ValueLayout.JAVA_BYTE, 1) & 0xff : src.get(ValueLayout.JAVA_SHORT, FAMILY) & 0xffff;
    }

    /** {@link #encodeUnix(byte[], MemorySegment, SocketAbi)} for this OS. */
    public static int encodeUnix(byte[] path, MemorySegment dst) {
        return encodeUnix(path, dst, SocketAbi.CURRENT);
    }

    /**
     * Writes a {@code sockaddr_un} for {@code path} (the bytes of {@code sun_path}: a filesystem
     * path, or on Linux an abstract name starting with NUL; empty for an unnamed socket) and returns
     * the address length to pass to the call.
     *
     * @throws IllegalArgumentException if the path does not fit, naming the limit
     */
    public static int encodeUnix(byte[] path, MemorySegment dst, SocketAbi abi) {
        boolean abstractName = checkUnix(path, abi);
        dst.asSlice(0, SUN_PATH + abi.SUN_PATH_SIZE).fill((byte) 0);
        MemorySegment.copy(path, 0, dst, ValueLayout.JAVA_BYTE, SUN_PATH, path.length);
        // A path is passed with its NUL (as SUN_LEN counts it on the BSDs); an abstract name without.
        int len = SUN_PATH + path.length + (abstractName || path.length == 0 ? 0 : 1);
        header(dst, abi.AF_UNIX, len, abi);
        return len;
    }

    /** {@link #checkUnix(byte[], SocketAbi)} for this OS. */
    public static boolean checkUnix(byte[] path) {
        return checkUnix(path, SocketAbi.CURRENT);
    }

    /**
     * Checks that {@code path} fits {@code sun_path}; returns whether it is an abstract name.
     *
     * @throws IllegalArgumentException if it does not fit, naming the limit
     */
    public static boolean checkUnix(byte[] path, SocketAbi abi) {
        boolean abstractName = path.length > 0 && path[0] == 0;
        int max = abstractName ? abi.SUN_PATH_SIZE : abi.SUN_PATH_SIZE - 1;
        if (path.length > max) {
            throw new IllegalArgumentException((abstractName ? "abstract socket name" : "socket path") + " is "
                    + path.length + " bytes; sun_path holds at most " + max + " on " + abi.id()
                    + " (sizeof sun_path = " + abi.SUN_PATH_SIZE + (abstractName ? ")" : ", with the terminating NUL)"));
        }
        return abstractName;
    }

    /** {@link #decodeUnix(MemorySegment, int, SocketAbi)} for this OS. */
    public static byte[] decodeUnix(MemorySegment src, int len) {
        return decodeUnix(src, len, SocketAbi.CURRENT);
    }

    /**
     * Reads the {@code sun_path} of a {@code sockaddr_un} of {@code len} bytes (as the kernel
     * returned it): a path without its NUL, an abstract name with its leading NUL (Linux), or an
     * empty array for an unnamed socket (on the BSDs also a {@code sun_path} that starts with NUL:
     * they have no abstract names, and may report an unnamed socket with a zeroed path).
     */
    public static byte[] decodeUnix(MemorySegment src, int len, SocketAbi abi) {
        int n = Math.min(len, SUN_PATH + abi.SUN_PATH_SIZE) - SUN_PATH;
        if (n <= 0) {
            return new byte[0];
        }
        if (src.get(ValueLayout.JAVA_BYTE, SUN_PATH) != 0) {
            for (int i = 0; i < n; i++) { // a path ends at its first NUL
                if (src.get(ValueLayout.JAVA_BYTE, SUN_PATH + i) == 0) {
                    n = i;
                    break;
                }
            }
        } else if (!abi.abstractNames) {
            return new byte[0];
        }
        byte[] b = new byte[n];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, SUN_PATH, b, 0, n);
        return b;
    }

    /** {@link #family(InetSocketAddress, SocketAbi)} for this OS. */
    public static int family(InetSocketAddress address) {
        return family(address, SocketAbi.CURRENT);
    }

    /**
     * The family a socket for {@code address} needs: AF_INET for IPv4, AF_INET6 for IPv6.
     *
     * @throws UnresolvedAddressException if the address is unresolved (as java.nio does)
     */
    public static int family(InetSocketAddress address, SocketAbi abi) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnresolvedAddressException();
        }
        return ip instanceof Inet4Address ? abi.AF_INET : abi.AF_INET6;
    }

    /** {@link #encode(InetSocketAddress, int, MemorySegment, SocketAbi)} for this OS. */
    public static int encode(InetSocketAddress address, int family, MemorySegment dst) {
        return encode(address, family, dst, SocketAbi.CURRENT);
    }

    /**
     * Writes {@code address} into {@code dst} for a socket of {@code family} and returns the
     * address length to pass to the call. On an AF_INET6 socket an IPv4 address is written
     * IPv4-mapped ({@code ::ffff:a.b.c.d}), so dual-stack sockets reach IPv4 peers.
     *
     * @throws IllegalArgumentException if an IPv6 address is given for an AF_INET socket
     */
    public static int encode(InetSocketAddress address, int family, MemorySegment dst, SocketAbi abi) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnresolvedAddressException();
        }
        byte[] bytes = ip.getAddress();
        if (family == abi.AF_INET) {
            if (bytes.length != 4) {
                throw new IllegalArgumentException("an IPv6 address (" + ip.getHostAddress()
                        + ") cannot be used with an IPv4 socket");
            }
            int len = (int) SOCKADDR_IN.byteSize();
            dst.asSlice(0, len).fill((byte) 0);
            header(dst, abi.AF_INET, len, abi);
            dst.set(PORT, PORT_OFF, (short) address.getPort());
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, IN_ADDR, 4);
            return len;
        }
        int len = (int) SOCKADDR_IN6.byteSize();
        dst.asSlice(0, len).fill((byte) 0);
        header(dst, abi.AF_INET6, len, abi);
        dst.set(PORT, PORT_OFF, (short) address.getPort());
        if (bytes.length == 4) {
            dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR + 10, (byte) 0xff);
            dst.set(ValueLayout.JAVA_BYTE, IN6_ADDR + 11, (byte) 0xff);
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR + 12, 4);
        } else {
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, IN6_ADDR, 16);
            int scope = ((Inet6Address) ip).getScopeId();
            dst.set(ValueLayout.JAVA_INT, IN6_SCOPE, scope);
        }
        dst.set(ValueLayout.JAVA_INT, IN6_FLOW, 0);
        return len;
    }

    /** {@link #decode(MemorySegment, SocketAbi)} for this OS. */
    public static InetSocketAddress decode(MemorySegment src) {
        return decode(src, SocketAbi.CURRENT);
    }

    /**
     * Reads the address in {@code src} (as filled by accept, recvfrom, getsockname, getpeername).
     * An IPv4-mapped IPv6 address comes back as an {@link Inet4Address}, as in java.net.
     *
     * @throws IllegalArgumentException for a family other than AF_INET / AF_INET6
     */
    public static InetSocketAddress decode(MemorySegment src, SocketAbi abi) {
        int family = family(src, abi);
        int port = src.get(PORT, PORT_OFF) & 0xffff;
        try {
            if (family == abi.AF_INET) {
                byte[] b = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN_ADDR, b, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(b), port);
            }
            if (family == abi.AF_INET6) {
                byte[] b = new byte[16];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN6_ADDR, b, 0, 16);
                int scope = src.get(ValueLayout.JAVA_INT, IN6_SCOPE);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException impossible) {
            // getByAddress only throws for a wrong array length, which cannot happen here.
            throw new IllegalStateException(impossible);
        }
        throw new IllegalArgumentException("unsupported address family " + family + " (" + abi.id() + ")");
    }
}
