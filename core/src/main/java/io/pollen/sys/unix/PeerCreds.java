package io.pollen.sys.unix;

import io.pollen.sys.NativeIOException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The credentials of a connected Unix socket's peer, as each OS gives them:
 *
 * <pre>
 * // Linux: getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &amp;cred, &amp;len)
 * struct ucred { pid_t pid; uid_t uid; gid_t gid; };
 * // macOS, FreeBSD (and libbsd on Linux):
 * int getpeereid(int fd, uid_t *euid, gid_t *egid);
 * // macOS only: getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &amp;pid, &amp;len)
 * </pre>
 *
 * <p>{@code getpeereid} gives the effective ids the peer had when it called {@code connect} (or
 * {@code listen}, seen from the connecting side), as {@code SO_PEERCRED} does; it gives no pid.
 * macOS adds {@code LOCAL_PEERPID}; on FreeBSD the pid is reported as {@code -1} (unknown).
 * {@code getpeereid} is bound on first use, so a C library without it (glibc) costs nothing.
 */
public final class PeerCreds {
    private PeerCreds() {
    }

    private static final FunctionDescriptor GETPEEREID = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    /** Bound on first use: glibc has no getpeereid, so Linux never binds it. */
    private static final class Libc {
        static final MethodHandle HANDLE = Native.errnoHandle("getpeereid", GETPEEREID);
    }

    /**
     * The peer's {pid, uid, gid} on this OS: {@code SO_PEERCRED} on Linux; {@code getpeereid}
     * (and {@code LOCAL_PEERPID} on macOS; pid -1 on FreeBSD) on the BSDs.
     */
    public static long[] of(int fd) throws NativeIOException {
        SocketAbi abi = SocketAbi.CURRENT;
        if (abi.SO_PEERCRED != 0) {
            Scratch s = Scratch.get();
            Net.getsockopt(fd, abi.SOL_SOCKET, abi.SO_PEERCRED, s.small, s.socklen, 12);
            return new long[] {s.small.get(JAVA_INT, 0), unsigned(s.small, 4), unsigned(s.small, 8)};
        }
        long[] c = getpeereid(Libc.HANDLE, fd);
        if (abi.LOCAL_PEERPID != 0) {
            c[0] = Net.getInt(fd, abi.SOL_LOCAL, abi.LOCAL_PEERPID);
        }
        return c;
    }

    /** A getpeereid handle for the function at {@code symbol} (tests bind libbsd's on Linux). */
    public static MethodHandle bind(MemorySegment symbol) {
        return Native.LINKER.downcallHandle(symbol, GETPEEREID, java.lang.foreign.Linker.Option.captureCallState("errno"));
    }

    /** getpeereid(3) through {@code handle}: {-1 (no pid), euid, egid}. */
    public static long[] getpeereid(MethodHandle handle, int fd) throws NativeIOException {
        Scratch s = Scratch.get();
        MemorySegment uid = s.small.asSlice(0, 4);
        MemorySegment gid = s.small.asSlice(4, 4);
        int r;
        try {
            r = (int) handle.invokeExact(Native.errnoSegment(), fd, uid, gid);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        Native.checkStrict(r, "getpeereid");
        return new long[] {-1, unsigned(s.small, 0), unsigned(s.small, 4)};
    }

    private static long unsigned(MemorySegment m, long offset) {
        return Integer.toUnsignedLong(m.get(JAVA_INT, offset));
    }
}
