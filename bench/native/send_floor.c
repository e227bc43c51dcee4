/*
 * send_floor.c -- how long one thread takes just to get N requests out, each on its own
 * loopback TCP connection.
 *
 * The scale run (bench/scale.sh) asks one client thread to send N requests, each on its own
 * connection, to a server that answers each after a fixed delay. On loopback a connect() runs
 * the whole handshake inside the caller's system call: the client's SYN, the listener's SYN-ACK,
 * the client's ACK and the server's child socket are all processed on the connecting thread; a
 * send() likewise delivers the bytes into the server's socket. So a one-thread client cannot get
 * its last request out sooner than N times socket() + connect() + send(), whoever the client
 * and whatever the server: its wall time is at least this floor plus the delay. This program
 * measures the floor with nothing else in the way: one thread does N times socket(), a
 * non-blocking connect() and a send() of the request, to a listener in the same process whose
 * bare acceptor thread accepts, reads the request and closes. No parsing, no timers, no answers.
 *
 * With THREADS > 1 that many threads share the N requests (each sends N / THREADS), to show what
 * a client that spread its connects over more threads could at best do on this machine.
 *
 *   send_floor N [REPEATS [THREADS]]
 *
 * Prints one line per repeat, "FLOOR requests=N threads=K ms=T", and exits 0 only if every request
 * reached the acceptor. Needs N + a few file descriptors; talks to 127.0.0.1 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char REQUEST[] = "GET /delay/1000/url/http://www.google.com HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
#define REQUEST_LEN ((int) sizeof REQUEST - 1)

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

/* Accepts, reads the whole request and closes, until it has every request (or the listener fails). */
static void *accept_all(void *arg) {
    struct acceptor *a = arg;
    char buf[256];
    while (a->got < a->want) {
        int fd = accept4(a->listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            perror("accept4");
            break;
        }
        int have = 0;
        ssize_t r;
        while (have < REQUEST_LEN && (r = recv(fd, buf, sizeof buf, 0)) > 0) have += (int) r;
        close(fd);
        if (have == REQUEST_LEN) a->got++;
    }
    return NULL;
}

/* connect() on loopback has finished the handshake by the time it returns; if it ever has not,
 * wait for writability as any client would. Then send the request. 1 on success. */
static int connect_and_send(int fd, const struct sockaddr_in *at) {
    if (connect(fd, (const struct sockaddr *) at, sizeof *at) < 0 && errno != EINPROGRESS) return 0;
    for (;;) {
        ssize_t w = send(fd, REQUEST, REQUEST_LEN, MSG_NOSIGNAL);
        if (w == REQUEST_LEN) return 1;
        if (w >= 0 || (errno != EAGAIN && errno != ENOTCONN)) return 0;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 10000) <= 0) return 0;
    }
}

/* One sending thread's share: requests [from, to). */
struct sender {
    const struct sockaddr_in *at;
    int *fds;
    int from, to;
    int opened;   /* sockets opened, from `from` on; all sent if opened == to - from */
};

static void *send_share(void *arg) {
    struct sender *s = arg;
    for (int i = s->from; i < s->to; i++, s->opened++) {
        s->fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fds[i] < 0) {
            perror("socket");
            break;
        }
        if (!connect_and_send(s->fds[i], s->at)) {
            perror("connect/send");
            close(s->fds[i]);
            break;
        }
    }
    return NULL;
}

static int one_run(int n, int threads, int *fds) {
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
    struct sender senders[threads];
    pthread_t ids[threads];
    long long t0 = now_ns();
    for (int k = 0; k < threads; k++) {
        senders[k] = (struct sender){.at = &at, .fds = fds, .from = n * k / threads, .to = n * (k + 1) / threads};
        if (k > 0) pthread_create(&ids[k], NULL, send_share, &senders[k]);
    }
    send_share(&senders[0]);   /* the calling thread sends the first share */
    for (int k = 1; k < threads; k++) pthread_join(ids[k], NULL);
    long long took = now_ns() - t0;
    int sent = 0;
    for (int k = 0; k < threads; k++) sent += senders[k].opened;
    if (sent < n) {
        a.want = a.got;   /* the acceptor may wait forever for the rest: stop it by closing */
        shutdown(a.listener, SHUT_RDWR);
    }
    pthread_join(t, NULL);
    for (int k = 0; k < threads; k++) {
        for (int i = senders[k].from; i < senders[k].from + senders[k].opened; i++) close(fds[i]);
    }
    close(a.listener);
    if (sent < n || a.got < n) return 0;
    printf("FLOOR requests=%d threads=%d ms=%.1f\n", n, threads, took / 1e6);
    fflush(stdout);
    return 1;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 0;
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    if (n <= 0 || repeats <= 0 || threads <= 0 || threads > 64 || threads > n) {
        fprintf(stderr, "usage: send_floor N [REPEATS [THREADS]]   (1 <= THREADS <= 64, THREADS <= N)\n");
        return 2;
    }
    int *fds = malloc(sizeof *fds * (size_t) n);
    for (int r = 0; r < repeats; r++) {
        if (!one_run(n, threads, fds)) return 1;
    }
    free(fds);
    return 0;
}
