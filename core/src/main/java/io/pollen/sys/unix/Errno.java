package io.pollen.sys.unix;

/**
 * errno numbers and their symbolic names, per {@link SocketAbi} profile, in this one place.
 *
 * <p>Each constant is declared once with its three numbers (Linux's asm-generic {@code errno.h},
 * macOS's {@code sys/errno.h}, FreeBSD's {@code sys/sys/errno.h}); the field holds the number of the
 * OS this JVM runs on ({@link SocketAbi#CURRENT}), and every profile gets its own number-to-name
 * table, so {@code NativeIOException} names an errno right on each OS. The BSDs share the 4.4BSD
 * numbering, which differs from Linux's above 34 and at 11 (EAGAIN on Linux, EDEADLK on the BSDs);
 * macOS and FreeBSD differ from each other at {@code ECANCELED} (89 / 85), {@code EOPNOTSUPP}
 * (102 on macOS, where 45 is {@code ENOTSUP}; 45 on FreeBSD, where the two are one) and
 * {@code ETIME} (macOS 101, FreeBSD none). A number a profile lacks is -1, which no call returns.
 */
public final class Errno {
    private Errno() {
    }

    private static final int PROFILES = SocketAbi.values().length;
    private static final String[][] NAMES = new String[PROFILES][128];
    private static final int CURRENT = SocketAbi.CURRENT.ordinal();

    /**
     * Declares {@code name} with its number per profile and returns the current OS's. The first
     * name given to a number keeps it (EOPNOTSUPP before ENOTSUP, which Linux and FreeBSD alias).
     */
    private static int e(String name, int linux, int macos, int freebsd) {
        int[] n = {linux, macos, freebsd};
        for (int p = 0; p < PROFILES; p++) {
            if (n[p] >= 0 && NAMES[p][n[p]] == null) {
                NAMES[p][n[p]] = name;
            }
        }
        return n[CURRENT];
    }

    //                                     Linux macOS FreeBSD
    public static final int EPERM = e("EPERM", 1, 1, 1);
    public static final int ENOENT = e("ENOENT", 2, 2, 2);
    public static final int ESRCH = e("ESRCH", 3, 3, 3);
    public static final int EINTR = e("EINTR", 4, 4, 4);
    public static final int EIO = e("EIO", 5, 5, 5);
    public static final int ENXIO = e("ENXIO", 6, 6, 6);
    public static final int E2BIG = e("E2BIG", 7, 7, 7);
    public static final int ENOEXEC = e("ENOEXEC", 8, 8, 8);
    public static final int EBADF = e("EBADF", 9, 9, 9);
    public static final int ECHILD = e("ECHILD", 10, 10, 10);
    public static final int EAGAIN = e("EAGAIN", 11, 35, 35);
    public static final int EDEADLK = e("EDEADLK", 35, 11, 11);
    public static final int ENOMEM = e("ENOMEM", 12, 12, 12);
    public static final int EACCES = e("EACCES", 13, 13, 13);
    public static final int EFAULT = e("EFAULT", 14, 14, 14);
    public static final int ENOTBLK = e("ENOTBLK", 15, 15, 15);
    public static final int EBUSY = e("EBUSY", 16, 16, 16);
    public static final int EEXIST = e("EEXIST", 17, 17, 17);
    public static final int EXDEV = e("EXDEV", 18, 18, 18);
    public static final int ENODEV = e("ENODEV", 19, 19, 19);
    public static final int ENOTDIR = e("ENOTDIR", 20, 20, 20);
    public static final int EISDIR = e("EISDIR", 21, 21, 21);
    public static final int EINVAL = e("EINVAL", 22, 22, 22);
    public static final int ENFILE = e("ENFILE", 23, 23, 23);
    public static final int EMFILE = e("EMFILE", 24, 24, 24);
    public static final int ENOTTY = e("ENOTTY", 25, 25, 25);
    public static final int ETXTBSY = e("ETXTBSY", 26, 26, 26);
    public static final int EFBIG = e("EFBIG", 27, 27, 27);
    public static final int ENOSPC = e("ENOSPC", 28, 28, 28);
    public static final int ESPIPE = e("ESPIPE", 29, 29, 29);
    public static final int EROFS = e("EROFS", 30, 30, 30);
    public static final int EMLINK = e("EMLINK", 31, 31, 31);
    public static final int EPIPE = e("EPIPE", 32, 32, 32);
    public static final int EDOM = e("EDOM", 33, 33, 33);
    public static final int ERANGE = e("ERANGE", 34, 34, 34);
    public static final int EINPROGRESS = e("EINPROGRESS", 115, 36, 36);
    public static final int EALREADY = e("EALREADY", 114, 37, 37);
    public static final int ENOTSOCK = e("ENOTSOCK", 88, 38, 38);
    public static final int EDESTADDRREQ = e("EDESTADDRREQ", 89, 39, 39);
    public static final int EMSGSIZE = e("EMSGSIZE", 90, 40, 40);
    public static final int EPROTOTYPE = e("EPROTOTYPE", 91, 41, 41);
    public static final int ENOPROTOOPT = e("ENOPROTOOPT", 92, 42, 42);
    public static final int EPROTONOSUPPORT = e("EPROTONOSUPPORT", 93, 43, 43);
    public static final int ESOCKTNOSUPPORT = e("ESOCKTNOSUPPORT", 94, 44, 44);
    public static final int EOPNOTSUPP = e("EOPNOTSUPP", 95, 102, 45);
    public static final int ENOTSUP = e("ENOTSUP", 95, 45, 45);
    public static final int EPFNOSUPPORT = e("EPFNOSUPPORT", 96, 46, 46);
    public static final int EAFNOSUPPORT = e("EAFNOSUPPORT", 97, 47, 47);
    public static final int EADDRINUSE = e("EADDRINUSE", 98, 48, 48);
    public static final int EADDRNOTAVAIL = e("EADDRNOTAVAIL", 99, 49, 49);
    public static final int ENETDOWN = e("ENETDOWN", 100, 50, 50);
    public static final int ENETUNREACH = e("ENETUNREACH", 101, 51, 51);
    public static final int ENETRESET = e("ENETRESET", 102, 52, 52);
    public static final int ECONNABORTED = e("ECONNABORTED", 103, 53, 53);
    public static final int ECONNRESET = e("ECONNRESET", 104, 54, 54);
    public static final int ENOBUFS = e("ENOBUFS", 105, 55, 55);
    public static final int EISCONN = e("EISCONN", 106, 56, 56);
    public static final int ENOTCONN = e("ENOTCONN", 107, 57, 57);
    public static final int ESHUTDOWN = e("ESHUTDOWN", 108, 58, 58);
    public static final int ETOOMANYREFS = e("ETOOMANYREFS", 109, 59, 59);
    public static final int ETIMEDOUT = e("ETIMEDOUT", 110, 60, 60);
    public static final int ECONNREFUSED = e("ECONNREFUSED", 111, 61, 61);
    public static final int ELOOP = e("ELOOP", 40, 62, 62);
    public static final int ENAMETOOLONG = e("ENAMETOOLONG", 36, 63, 63);
    public static final int EHOSTDOWN = e("EHOSTDOWN", 112, 64, 64);
    public static final int EHOSTUNREACH = e("EHOSTUNREACH", 113, 65, 65);
    public static final int ENOTEMPTY = e("ENOTEMPTY", 39, 66, 66);
    public static final int ENOSYS = e("ENOSYS", 38, 78, 78);
    public static final int EOVERFLOW = e("EOVERFLOW", 75, 84, 84);
    public static final int ECANCELED = e("ECANCELED", 125, 89, 85);
    /** Linux's "timer expired" (io_uring's timeouts); macOS has it (STREAMS), FreeBSD has none: -1 never matches. */
    public static final int ETIME = e("ETIME", 62, 101, -1);

    /** The symbolic name of {@code errno} on this OS, or {@code "E?"} if this table does not know it. */
    public static String name(int errno) {
        return name(SocketAbi.CURRENT, errno);
    }

    /** The symbolic name of {@code errno} under {@code abi}'s numbering, or {@code "E?"}. */
    public static String name(SocketAbi abi, int errno) {
        String n = errno >= 0 && errno < NAMES[0].length ? NAMES[abi.ordinal()][errno] : null;
        return n != null ? n : "E?";
    }
}
