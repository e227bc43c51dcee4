package io.pollen.sys.unix;

/**
 * errno numbers and their symbolic names, chosen per OS in this one place.
 *
 * <p>Linux uses the asm-generic numbering on x86_64 and aarch64 alike; the BSDs and macOS share the
 * 4.4BSD numbering, which differs above 34 (and at 11: EAGAIN on Linux, EDEADLK on the BSDs).
 */
public final class Errno {
    private Errno() {
    }

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase().contains("linux");

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int EAGAIN = LINUX ? 11 : 35;
    public static final int EINPROGRESS = LINUX ? 115 : 36;
    public static final int EALREADY = LINUX ? 114 : 37;
    public static final int ENOTSOCK = LINUX ? 88 : 38;
    public static final int EMSGSIZE = LINUX ? 90 : 40;
    public static final int ENOPROTOOPT = LINUX ? 92 : 42;
    public static final int EPROTONOSUPPORT = LINUX ? 93 : 43;
    public static final int EOPNOTSUPP = LINUX ? 95 : 45;
    public static final int EAFNOSUPPORT = LINUX ? 97 : 47;
    public static final int EADDRINUSE = LINUX ? 98 : 48;
    public static final int EADDRNOTAVAIL = LINUX ? 99 : 49;
    public static final int ENETDOWN = LINUX ? 100 : 50;
    public static final int ENETUNREACH = LINUX ? 101 : 51;
    public static final int ECONNABORTED = LINUX ? 103 : 53;
    public static final int ECONNRESET = LINUX ? 104 : 54;
    public static final int ENOBUFS = LINUX ? 105 : 55;
    public static final int EISCONN = LINUX ? 106 : 56;
    public static final int ENOTCONN = LINUX ? 107 : 57;
    public static final int ETIMEDOUT = LINUX ? 110 : 60;
    public static final int ECONNREFUSED = LINUX ? 111 : 61;
    public static final int EHOSTUNREACH = LINUX ? 113 : 65;
    public static final int ENOSYS = LINUX ? 38 : 78;
    public static final int EDESTADDRREQ = LINUX ? 89 : 39;
    public static final int EPROTOTYPE = LINUX ? 91 : 41;
    public static final int ENETRESET = LINUX ? 102 : 52;
    public static final int ESHUTDOWN = LINUX ? 108 : 58;
    public static final int EHOSTDOWN = LINUX ? 112 : 64;
    public static final int EDEADLK = LINUX ? 35 : 11;
    /** {@code EBUSY}, numbered alike everywhere. */
    public static final int EBUSY = 16;
    /** Linux's "timer expired" (io_uring's timeouts); the BSDs have no ETIME: -1 never matches. */
    public static final int ETIME = LINUX ? 62 : -1;
    public static final int ECANCELED = LINUX ? 125 : 85;

    private static final String[] NAMES = new String[128];

    static {
        name(EPERM, "EPERM");
        name(ENOENT, "ENOENT");
        name(EINTR, "EINTR");
        name(EIO, "EIO");
        name(EBADF, "EBADF");
        name(ENOMEM, "ENOMEM");
        name(EACCES, "EACCES");
        name(EFAULT, "EFAULT");
        name(EEXIST, "EEXIST");
        name(EINVAL, "EINVAL");
        name(ENFILE, "ENFILE");
        name(EMFILE, "EMFILE");
        name(EPIPE, "EPIPE");
        name(EAGAIN, "EAGAIN");
        name(EINPROGRESS, "EINPROGRESS");
        name(EALREADY, "EALREADY");
        name(ENOTSOCK, "ENOTSOCK");
        name(EMSGSIZE, "EMSGSIZE");
        name(ENOPROTOOPT, "ENOPROTOOPT");
        name(EPROTONOSUPPORT, "EPROTONOSUPPORT");
        name(EOPNOTSUPP, "EOPNOTSUPP");
        name(EAFNOSUPPORT, "EAFNOSUPPORT");
        name(EADDRINUSE, "EADDRINUSE");
        name(EADDRNOTAVAIL, "EADDRNOTAVAIL");
        name(ENETDOWN, "ENETDOWN");
        name(ENETUNREACH, "ENETUNREACH");
        name(ECONNABORTED, "ECONNABORTED");
        name(ECONNRESET, "ECONNRESET");
        name(ENOBUFS, "ENOBUFS");
        name(EISCONN, "EISCONN");
        name(ENOTCONN, "ENOTCONN");
        name(ETIMEDOUT, "ETIMEDOUT");
        name(ECONNREFUSED, "ECONNREFUSED");
        name(EHOSTUNREACH, "EHOSTUNREACH");
        name(ENOSYS, "ENOSYS");
        name(EDESTADDRREQ, "EDESTADDRREQ");
        name(EPROTOTYPE, "EPROTOTYPE");
        name(ENETRESET, "ENETRESET");
        name(ESHUTDOWN, "ESHUTDOWN");
        name(EHOSTDOWN, "EHOSTDOWN");
        name(EDEADLK, "EDEADLK");
        name(ECANCELED, "ECANCELED");
        if (LINUX) {
            name(ETIME, "ETIME");
        }
        // The rest of 1..34, numbered alike everywhere (bar 11): any wrapper may meet them (ENOSPC, ...).
        name(3, "ESRCH");
        name(6, "ENXIO");
        name(7, "E2BIG");
        name(8, "ENOEXEC");
        name(10, "ECHILD");
        name(15, "ENOTBLK");
        name(EBUSY, "EBUSY");
        name(18, "EXDEV");
        name(19, "ENODEV");
        name(20, "ENOTDIR");
        name(21, "EISDIR");
        name(25, "ENOTTY");
        name(26, "ETXTBSY");
        name(27, "EFBIG");
        name(28, "ENOSPC");
        name(29, "ESPIPE");
        name(30, "EROFS");
        name(31, "EMLINK");
        name(33, "EDOM");
        name(34, "ERANGE");
    }

    private static void name(int errno, String name) {
        NAMES[errno] = name;
    }

    /** The symbolic name of {@code errno}, or {@code "E?"} if this table does not know it. */
    public static String name(int errno) {
        String n = errno >= 0 && errno < NAMES.length ? NAMES[errno] : null;
        return n != null ? n : "E?";
    }
}
