package io.pollen.sys;

import java.io.IOException;

/**
 * A failed native call: names the call, the errno number, its symbolic name and the C library's
 * message, e.g. {@code connect failed: ECONNREFUSED (111) Connection refused}.
 *
 * <p>Every native wrapper in Pollen throws this type and only this type for an errno; {@code EAGAIN}
 * / {@code EWOULDBLOCK} are never thrown, they are returned as a "would block" value. Callers that
 * need to branch on a particular error compare {@link #errnoName()} (portable across Linux and BSD,
 * where the numbers differ) rather than {@link #errno()}.
 */
public final class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String errnoName;

    /**
     * @param call      the C function that failed, e.g. {@code "connect"}
     * @param errno     the errno value the call left
     * @param errnoName the symbolic name, e.g. {@code "ECONNREFUSED"}
     * @param message   the C library's description of the errno
     */
    public NativeIOException(String call, int errno, String errnoName, String message) {
        super(call + " failed: " + errnoName + " (" + errno + ") " + message);
        this.call = call;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** The C function that failed, e.g. {@code "epoll_ctl"}. */
    public String call() {
        return call;
    }

    /** The raw errno value; platform dependent. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code "ECONNREFUSED"}; {@code "E?"} where unknown. */
    public String errnoName() {
        return errnoName;
    }

    /**
     * Whether the call failed for want of a resource that frees up by itself — {@code EMFILE} (no
     * free descriptor in this process), {@code ENFILE} (nor in the system), {@code ENOBUFS},
     * {@code ENOMEM} — so that the same call may succeed later: a server backs off and retries
     * instead of giving up or retrying at once.
     */
    public boolean isResourceExhaustion() {
        return switch (errnoName) {
            case "EMFILE", "ENFILE", "ENOBUFS", "ENOMEM" -> true;
            default -> false;
        };
    }

    /** Whether {@code e} is a {@link NativeIOException} that {@linkplain #isResourceExhaustion() is one}. */
    public static boolean isResourceExhaustion(Throwable e) {
        return e instanceof NativeIOException n && n.isResourceExhaustion();
    }
}
