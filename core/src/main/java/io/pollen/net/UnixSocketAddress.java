package io.pollen.net;

import io.pollen.sys.unix.SockAddr;

import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The address of a Unix domain socket: a filesystem path, a Linux abstract name, or unnamed (an
 * unbound socket, or one end of a {@code pair()}).
 *
 * <ul>
 *   <li>{@link #of(Path)}: a socket file. The path is encoded as the JVM encodes file names
 *       ({@code sun.jnu.encoding}) and must fit {@code sun_path} with its terminating NUL:
 *       {@value #LINUX_PATH_MAX} bytes on Linux, 103 on macOS and the BSDs
 *       ({@link #maxPathBytes()}). A longer path is refused here, with that limit in the message;
 *       use a relative path or a shorter directory.</li>
 *   <li>{@link #abstractName(String)} (or {@link #of(String)} with a leading {@code '\0'}): Linux's
 *       abstract namespace. No file is created; the name vanishes with the last socket bound to
 *       it; it is scoped to the network namespace and has no permissions. UTF-8, up to
 *       {@value #LINUX_PATH_MAX} bytes. Other OSes, and the nio backend, refuse it with
 *       {@link UnsupportedOperationException} when it is used.</li>
 * </ul>
 * Immutable; equal when the {@code sun_path} bytes are equal.
 */
public final class UnixSocketAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    private static final int LINUX_PATH_MAX = 107;
    private static final UnixSocketAddress UNNAMED = new UnixSocketAddress(new byte[0]);

    /** {@code sun_path} as the kernel sees it: a path, NUL + an abstract name, or empty. */
    private final byte[] bytes;

    private UnixSocketAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A socket file at {@code path}.
     *
     * @throws IllegalArgumentException if it is empty or longer than {@link #maxPathBytes()}
     */
    public static UnixSocketAddress of(Path path) {
        String s = Objects.requireNonNull(path, "path").toString();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty socket path (use unnamed() for an unbound socket)");
        }
        return checked(s.getBytes(fileNameCharset()));
    }

    /** {@link #of(Path)}, or {@link #abstractName} when {@code name} starts with {@code '\0'}. */
    public static UnixSocketAddress of(String name) {
        Objects.requireNonNull(name, "name");
        return name.startsWith("\0") ? abstractName(name.substring(1)) : of(Path.of(name));
    }

    /** A Linux abstract name (given without the leading NUL). */
    public static UnixSocketAddress abstractName(String name) {
        byte[] utf8 = Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, b, 1, utf8.length);
        return checked(b);
    }

    /** The address of an unbound socket (and of the ends of a pair). */
    public static UnixSocketAddress unnamed() {
        return UNNAMED;
    }

    /**
     * From the {@code sun_path} bytes a socket call returned (a path without its NUL, an abstract
     * name with its leading NUL, empty for unnamed). For socket implementations.
     */
    public static UnixSocketAddress fromSunPath(byte[] sunPath) {
        return sunPath.length == 0 ? UNNAMED : new UnixSocketAddress(sunPath.clone());
    }

    private static UnixSocketAddress checked(byte[] b) {
        SockAddr.checkUnix(b);
        return new UnixSocketAddress(b);
    }

    /** The longest socket file path on this OS, in bytes (107 on Linux, 103 on macOS / BSD). */
    public static int maxPathBytes() {
        return SockAddr.MAX_PATH_BYTES;
    }

    /** A copy of the {@code sun_path} bytes. For socket implementations. */
    public byte[] sunPath() {
        return bytes.clone();
    }

    /** Whether this is a Linux abstract name. */
    public boolean isAbstract() {
        return bytes.length > 0 && bytes[0] == 0;
    }

    /** Whether this is the address of an unbound socket. */
    public boolean isUnnamed() {
        return bytes.length == 0;
    }

    /** The socket file's path, or {@code null} for an abstract name or an unnamed socket. */
    public Path path() {
        return isAbstract() || isUnnamed() ? null : Path.of(new String(bytes, fileNameCharset()));
    }

    /** The abstract name without its leading NUL, or {@code null} if this is not one. */
    public String abstractName() {
        return isAbstract() ? new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8) : null;
    }

    private static Charset fileNameCharset() {
        String jnu = System.getProperty("sun.jnu.encoding");
        try {
            return jnu == null ? Charset.defaultCharset() : Charset.forName(jnu);
        } catch (IllegalArgumentException unknown) {
            return Charset.defaultCharset();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixSocketAddress u && Arrays.equals(bytes, u.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The path, {@code @name} for an abstract name (as {@code ss} prints it), or {@code (unnamed)}. */
    @Override
    public String toString() {
        return isUnnamed() ? "(unnamed)" : isAbstract() ? "@" + abstractName() : path().toString();
    }
}
