package io.pollen.poll.uring;

import io.pollen.sys.NativeIOException;
import io.pollen.sys.linux.EventFd;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.linux.IoUringLayout;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether io_uring can carry Pollen here, probed once per process, with the reason when it cannot:
 * not Linux, an architecture without known layouts, {@code kernel.io_uring_disabled}, a kernel
 * without io_uring or a seccomp filter refusing it (ENOSYS, EPERM), or a kernel older than what the
 * backend needs ({@code IORING_FEAT_NODROP}, {@code IORING_FEAT_EXT_ARG}: Linux 5.11; multishot
 * {@code POLL_ADD}: 5.13 — tried for real on an eventfd).
 */
public final class UringSupport {
    private UringSupport() {
    }

    private static final String REASON = probe();

    /** Whether the io_uring backend can run here. */
    public static boolean isAvailable() {
        return REASON == null;
    }

    /** Why the io_uring backend cannot run here, or {@code null} if it can. */
    public static String unavailableReason() {
        return REASON;
    }

    private static String probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return "io_uring is Linux only (this is " + os + ")";
        }
        if (!IoUringLayout.SUPPORTED) {
            return "io_uring's struct layouts are only known for x86_64 and aarch64 (this is "
                    + System.getProperty("os.arch") + ")";
        }
        String disabled = sysctl("/proc/sys/kernel/io_uring_disabled");
        if ("2".equals(disabled)) {
            return "io_uring is disabled by the administrator (sysctl kernel.io_uring_disabled=2)";
        }
        try (Ring ring = Ring.open(4, 0, 0)) {
            if (!ring.hasFeature(IoUring.IORING_FEAT_NODROP) || !ring.hasFeature(IoUring.IORING_FEAT_EXT_ARG)) {
                return "the kernel's io_uring is too old (features 0x" + Integer.toHexString(ring.features())
                        + " lack NODROP or EXT_ARG: Linux 5.11 or later is needed)";
            }
            if (!ring.supports(IoUring.IORING_OP_POLL_ADD) || !multishotPollWorks(ring)) {
                return "the kernel's io_uring has no multishot POLL_ADD (Linux 5.13 or later is needed)";
            }
            return null;
        } catch (NativeIOException e) {
            return refused(e, disabled);
        } catch (IOException | RuntimeException e) {
            return "io_uring could not be set up: " + e;
        }
    }

    /**
     * Why {@code io_uring_setup} failing with {@code e} means io_uring cannot be used here, and what
     * to change. {@code disabledSysctl} is {@code kernel.io_uring_disabled} as read (null if it could
     * not be): with it at 0, a refusal can only come from a seccomp filter or a security module.
     */
    static String refused(NativeIOException e, String disabledSysctl) {
        if (e.errno() == Errno.ENOSYS) {
            return "io_uring_setup is not implemented here (ENOSYS): a kernel without io_uring (before 5.1,"
                    + " or built without CONFIG_IO_URING), or a seccomp filter that answers ENOSYS";
        }
        if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
            String why = switch (disabledSysctl == null ? "?" : disabledSysctl) {
                case "0" -> "kernel.io_uring_disabled is 0, so a seccomp filter (or a security module) refuses it;"
                        + " Docker's default seccomp profile has refused io_uring_setup, io_uring_enter and"
                        + " io_uring_register since 2023: run with a profile that allows them";
                case "1" -> "sysctl kernel.io_uring_disabled=1 allows io_uring only to members of"
                        + " kernel.io_uring_group (or a seccomp filter refuses it)";
                default -> "sysctl kernel.io_uring_disabled=" + (disabledSysctl == null ? "?" : disabledSysctl)
                        + ", or a seccomp filter (Docker's default profile refuses io_uring)";
            };
            return "io_uring_setup was refused (" + e.errnoName() + "): " + why;
        }
        return "io_uring_setup failed: " + e.getMessage();
    }

    /** Arms a multishot poll on an eventfd, writes it, and checks the CQE says "more to come". */
    private static boolean multishotPollWorks(Ring ring) throws IOException {
        int efd = EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            ring.sqes.pollAdd(efd, 1 /* POLLIN */, true, 7);
            ring.submit();
            Unistd.write(efd, arena.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
            ring.submitAndWait(1, 1_000_000_000L);
            int[] seen = {0, 0};
            ring.reap((ud, res, flags) -> {
                if (ud == 7 && res > 0) {
                    seen[0] = 1;
                    seen[1] = flags;
                }
            }, 8);
            return seen[0] == 1 && (seen[1] & IoUring.IORING_CQE_F_MORE) != 0;
        } finally {
            Unistd.close(efd);
        }
    }

    private static String sysctl(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
