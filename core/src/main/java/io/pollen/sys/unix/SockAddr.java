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
 * {@link InetSocketAddress} (IPv4, IPv6, IPv4-mapped IPv6, scope ids). Linux layouts, which have no
 * {@code sin_len} byte (the BSDs do: a BSD port changes this file).
 *
 * <pre>
 * struct sockaddr_in {                 struct sockaddr_in6 {
 *     sa_family_t    sin_family;           sa_family_t     sin6_family;
 *     in_port_t      sin_port;  // BE          in_port_t       sin6_port;     // BE
 *     struct in_addr sin_addr;  // BE          uint32_t        sin6_flowinfo;
 *     unsigned char  sin_zero[8];              struct in6_addr sin6_addr;     // 16 bytes
 * };                       // 16 bytes        uint32_t        sin6_scope_id;
 *                                          };                       // 28 bytes
 * struct sockaddr_storage { sa_family_t ss_family; ... };        // 128 bytes
 *
 * struct sockaddr_un {                  // Linux: 110 bytes     macOS / BSD: 106 bytes
 *     sa_family_t sun_family;           //   u16 family          u8 sun_len; u8 sun_family;
 *     char        sun_path[108];        //   108                 104
 * };
 * </pre>
 *
 * <p>{@code sockaddr_un} is the one layout here chosen per OS (in {@link #SUN_PATH_SIZE} and
 * {@link #HAS_SUN_LEN}): Linux has a 16-bit family and a 108-byte path; macOS and the BSDs a
 * length byte, an 8-bit family and a 104-byte path. A filesystem path must leave room for its
 * terminating NUL; a Linux abstract name (first byte NUL) is length-delimited and may fill
 * {@code sun_path}.
 */
public final class SockAddr {
    private SockAddr() {
    }

    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

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

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase().contains("linux");

    /** {@code sizeof(sun_path)}: 108 on Linux, 104 on macOS and the BSDs. */
    public static final int SUN_PATH_SIZE = LINUX ? 108 : 104;
    /** Whether {@code sockaddr_un} starts with a {@code sun_len} byte (macOS, the BSDs). */
    public static final boolean HAS_SUN_LEN = !LINUX;
    /** {@code offsetof(struct sockaddr_un, sun_path)} on every supported OS. */
    private static final int SUN_PATH = 2;
    /** Whether the OS has abstract socket names (Linux). */
    public static final boolean ABSTRACT_NAMES = LINUX;

    /**
     * The longest filesystem path a {@code sockaddr_un} holds, in bytes: {@link #SUN_PATH_SIZE}
     * minus the terminating NUL (107 on Linux, 103 on macOS / BSD).
     */
    public static final int MAX_PATH_BYTES = SUN_PATH_SIZE - 1;

    /**
     * Writes a {@code sockaddr_un} for {@code path} (the bytes of {@code sun_path}: a filesystem
     * path, or on Linux an abstract name starting with NUL; empty for an unnamed socket) and returns
     * the address length to pass to the call.
     *
     * @throws IllegalArgumentException if the path does not fit, naming the limit
     */
    public static int encodeUnix(byte[] path, MemorySegment dst) {
        boolean abstractName = checkUnix(path);
        dst.asSlice(0, SUN_PATH + SUN_PATH_SIZE).fill((byte) 0);
        MemorySegment.copy(path, 0, dst, ValueLayout.JAVA_BYTE, SUN_PATH, path.length);
        // A path is passed with its NUL (as SUN_LEN counts it on the BSDs); an abstract name without.
        int len = SUN_PATH + path.length + (abstractName || path.length == 0 ? 0 : 1);
        if (HAS_SUN_LEN) {
            dst.set(ValueLayout.JAVA_BYTE, 0, (byte) len);
            dst.set(ValueLayout.JAVA_BYTE, 1, (byte) Linux.AF_UNIX);
        } else {
            dst.set(ValueLayout.JAVA_SHORT, FAMILY, (short) Linux.AF_UNIX);
        }
        return len;
    }

    /**
     * Checks that {@code path} fits {@code sun_path}; returns whether it is an abstract name.
     *
     * @throws IllegalArgumentException if it does not fit, naming the limit
     */
    public static boolean checkUnix(byte[] path) {
        boolean abstractName = path.length > 0 && path[0] == 0;
        int max = abstractName ? SUN_PATH_SIZE : MAX_PATH_BYTES;
        if (path.length > max) {
            throw new IllegalArgumentException((abstractName ? "abstract socket name" : "socket path") + " is "
                    + path.length + " bytes; sun_path holds at most " + max + " on " + System.getProperty("os.name")
                    + " (sizeof sun_path = " + SUN_PATH_SIZE + (abstractName ? ")" : ", with the terminating NUL)"));
        }
        return abstractName;
    }

    /**
     * Reads the {@code sun_path} of a {@code sockaddr_un} of {@code len} bytes (as the kernel
     * returned it): a path without its NUL, an abstract name with its leading NUL, or an empty
     * array for an unnamed socket.
     */
    public static byte[] decodeUnix(MemorySegment src, int len) {
        int n = Math.min(len, SUN_PATH + SUN_PATH_SIZE) - SUN_PATH;
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
        }
        byte[] b = new byte[n];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, SUN_PATH, b, 0, n);
        return b;
    }

    /**
     * The family a socket for {@code address} needs: AF_INET for IPv4, AF_INET6 for IPv6.
     *
     * @throws UnresolvedAddressException if the address is unresolved (as java.nio does)
     */
    public static int family(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnresolvedAddressException();
        }
        return ip instanceof Inet4Address ? Linux.AF_INET : Linux.AF_INET6;
    }

    /**
     * Writes {@code address} into {@code dst} for a socket of {@code family} and returns the
     * address length to pass to the call. On an AF_INET6 socket an IPv4 address is written
     * IPv4-mapped ({@code ::ffff:a.b.c.d}), so dual-stack sockets reach IPv4 peers.
     *
     * @throws IllegalArgumentException if an IPv6 address is given for an AF_INET socket
     */
    public static int encode(InetSocketAddress address, int family, MemorySegment dst) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnresolvedAddressException();
        }
        byte[] bytes = ip.getAddress();
        if (family == Linux.AF_INET) {
            if (bytes.length != 4) {
                throw new IllegalArgumentException("an IPv6 address (" + ip.getHostAddress()
                        + ") cannot be used with an IPv4 socket");
            }
            dst.asSlice(0, SOCKADDR_IN.byteSize()).fill((byte) 0);
            dst.set(ValueLayout.JAVA_SHORT, FAMILY, (short) Linux.AF_INET);
            dst.set(PORT, PORT_OFF, (short) address.getPort());
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, IN_ADDR, 4);
            return (int) SOCKADDR_IN.byteSize();
        }
        dst.asSlice(0, SOCKADDR_IN6.byteSize()).fill((byte) 0);
        dst.set(ValueLayout.JAVA_SHORT, FAMILY, (short) Linux.AF_INET6);
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
        return (int) SOCKADDR_IN6.byteSize();
    }

    /**
     * Reads the address in {@code src} (as filled by accept, recvfrom, getsockname, getpeername).
     * An IPv4-mapped IPv6 address comes back as an {@link Inet4Address}, as in java.net.
     *
     * @throws IllegalArgumentException for a family other than AF_INET / AF_INET6
     */
    public static InetSocketAddress decode(MemorySegment src) {
        int family = src.get(ValueLayout.JAVA_SHORT, FAMILY) & 0xffff;
        int port = src.get(PORT, PORT_OFF) & 0xffff;
        try {
            if (family == Linux.AF_INET) {
                byte[] b = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, IN_ADDR, b, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(b), port);
            }
            if (family == Linux.AF_INET6) {
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
        throw new IllegalArgumentException("unsupported address family " + family);
    }
}
