/*
 * seccomp_deny.c -- runs a command with io_uring's three system calls refused, the way a container's
 * seccomp profile refuses them (Docker's default has left io_uring out since 2023), so that a test
 * can see what Pollen says and does where io_uring cannot run. Test-only; compiled by the test that
 * uses it (UringRefusedTest).
 *
 *   seccomp_deny EPERM|ENOSYS command [args...]
 *
 * The filter is installed on this process, then the command is exec'd: it and every thread it
 * starts inherit it. Other architectures' system calls (a 32-bit ABI on the same kernel) pass.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp_deny: x86_64 and aarch64 only (Pollen's io_uring backend runs on those)"
#endif

/* The same numbers on every architecture: system calls added since 5.1 share one table. */
#define NR_IO_URING_SETUP 425
#define NR_IO_URING_ENTER 426
#define NR_IO_URING_REGISTER 427

int main(int argc, char **argv) {
    int err = argc < 3 ? 0 : strcmp(argv[1], "EPERM") == 0 ? EPERM : strcmp(argv[1], "ENOSYS") == 0 ? ENOSYS : 0;
    if (err == 0) {
        fprintf(stderr, "usage: %s EPERM|ENOSYS command [args...]\n", argv[0]);
        return 2;
    }
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 4),           /* another ABI: allow */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NR_IO_URING_SETUP, 0, 2),     /* below 425: allow */
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, NR_IO_URING_REGISTER, 1, 0),  /* above 427: allow */
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned) err & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    /* Without no_new_privs only a privileged process may install a filter. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("seccomp_deny: prctl(PR_SET_NO_NEW_PRIVS)");
        return 2;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("seccomp_deny: prctl(PR_SET_SECCOMP)");
        return 2;
    }
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    return 127;
}
