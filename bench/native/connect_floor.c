/*
 * connect_floor.c -- how long one thread takes just to open N loopback TCP connections.
 *
 * The scale run (bench/scale.sh) asks one client thread to send N requests, each on its own
 * connection, to a server that answers each after a fixed delay. On loopback a connect() runs
 * the whole handshake inside the caller's system call: the client's SYN, the listener's SYN-ACK,
 * the client's ACK and the server's child socket are all processed on the connecting thread. So
 * the last request of a one-thread client cannot leave before N connects' worth of that work,
 * whoever the client and whatever the server: its wall time is at least this floor plus the
 * delay. This program measures the floor with nothing else in the way: a listener in the same
 * process, a bare acceptor thread that accepts and closes, and one thread doing N times
 * socket() + non-blocking connect(). Nothing is sent.
 *
 *   connect_floor N [REPEATS]
 *
 * Prints one line per repeat, "FLOOR connects=N ms=T", and exits 0 if every connect was
 * accepted. Needs N + a few file descriptors; talks to 127.0.0.1 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct acceptor {
    int listener;
    int want;
    int got;
};

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Accepts and closes until it has seen every connection (or the listener fails). */
static void *accept_all(void *arg) {
    struct acceptor *a = arg;
    while (a->got < a->want) {
        int fd = accept4(a->listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            perror("accept4");
            break;
        }
        close(fd);
        a->got++;
    }
    return NULL;
}

static int one_run(int n, int *fds) {
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof at;
    struct acceptor a = {.listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), .want = n};
    if (a.listener < 0 || bind(a.listener, (struct sockaddr *) &at, sizeof at) < 0
        || getsockname(a.listener, (struct sockaddr *) &at, &len) < 0 || listen(a.listener, 65535) < 0) {
        perror("listener");
        return 0;
    }
    pthread_t t;
    pthread_create(&t, NULL, accept_all, &a);
    int opened = 0;
    long long t0 = now_ns();
    for (; opened < n; opened++) {
        fds[opened] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fds[opened] < 0) {
            perror("socket");
            break;
        }
        if (connect(fds[opened], (struct sockaddr *) &at, sizeof at) < 0 && errno != EINPROGRESS) {
            perror("connect");
            close(fds[opened]);
            break;
        }
    }
    long long took = now_ns() - t0;
    if (opened < n) {
        a.want = a.got;   /* the acceptor may wait forever for the rest: stop it by closing */
        shutdown(a.listener, SHUT_RDWR);
    }
    pthread_join(t, NULL);
    for (int i = 0; i < opened; i++) close(fds[i]);
    close(a.listener);
    if (opened < n || a.got < n) return 0;
    printf("FLOOR connects=%d ms=%.1f\n", n, took / 1e6);
    fflush(stdout);
    return 1;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 0;
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    if (n <= 0 || repeats <= 0) {
        fprintf(stderr, "usage: connect_floor N [REPEATS]\n");
        return 2;
    }
    int *fds = malloc(sizeof *fds * (size_t) n);
    for (int r = 0; r < repeats; r++) {
        if (!one_run(n, fds)) return 1;
    }
    free(fds);
    return 0;
}
