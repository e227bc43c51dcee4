/*
 * delay_client.c -- the physical-limit reference of the scale run (bench/scale.sh).
 *
 * The chapter's scenario done by hand on raw epoll: N concurrent GETs of one
 * path, one TCP connection each, all on ONE thread, as Pollen's client does it.
 * Per request it makes the calls any single-threaded client must make:
 * socket, connect, epoll_ctl(ADD), getsockopt(SO_ERROR) when writable, send,
 * recv until the response is complete, close. Nothing else: no timers, no
 * tasks, no futures, no garbage collector, no JIT. Its wall time is how fast
 * this machine lets one thread do the work, so the Java clients have a floor.
 *
 *   delay_client HOST PORT REQUESTS PATH [PASSES]
 *
 * Speaks ClientMain's protocol: before each pass it prints "READY pass=N" and
 * waits for a line on standard input ("GO PORT" sends the pass to that port of HOST; "GO" or end
 * of input keeps the port); after it, the RESULT and PROFILE lines
 * that ScaleRun parses (the same fields). Exits 0 only if every request of every pass got a
 * complete "HTTP/1.1 200" response.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RESPONSE_MAX 4096
#define MAX_EVENTS 512
#define SLOTS 240 /* half seconds in the completion profile */
#define CONNECT_BATCH 64

struct conn {
    int fd;
    int sent;          /* the request has been written */
    int have;          /* response bytes in buf */
    long long start;   /* ns, when its connect began */
    char *buf;
};

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_ms(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static long status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, n) == 0) {
            v = strtol(line + n, NULL, 10);
            break;
        }
    }
    if (f) fclose(f);
    return v;
}

/* 1: a complete 200 response; 0: need more bytes; -1: not a 200 or unparseable. */
static int response_state(const char *buf, int have) {
    const char *end = memmem(buf, have, "\r\n\r\n", 4);
    if (!end) return have >= RESPONSE_MAX ? -1 : 0;
    if (have < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0) return -1;
    long length = -1;
    for (const char *p = buf; p < end; p++) {
        if ((p == buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) {
            length = strtol(p + 15, NULL, 10);
        }
    }
    if (length < 0) return -1; /* the demo server always sends a length */
    int head = (int) (end + 4 - buf);
    return have >= head + length ? 1 : 0;
}

static int run_pass(int pass, const struct sockaddr_in *to, int n, const char *request, int request_len) {
    struct conn *c = calloc(n, sizeof *c);
    int profile[SLOTS] = {0};
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int ok = 0, failed = 0, done = 0;
    long long fastest = -1, slowest = 0;
    double cpu0 = cpu_ms();
    long long t0 = now_ns();
    struct epoll_event events[MAX_EVENTS];
    int next = 0;
    while (done < n) {
        /* Connects go out in batches between polls, as a loop's tasks would, so that requests are
         * sent (and answered) while later connections are still being opened. */
        for (int b = 0; b < CONNECT_BATCH && next < n; b++, next++) {
            struct conn *x = &c[next];
            x->start = now_ns();
            x->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (x->fd < 0 || (connect(x->fd, (const struct sockaddr *) to, sizeof *to) < 0 && errno != EINPROGRESS)) {
                if (failed == 0) perror("socket/connect");
                if (x->fd >= 0) close(x->fd);
                x->fd = -1;
                failed++, done++;
                continue;
            }
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u32 = (unsigned) next};
            epoll_ctl(ep, EPOLL_CTL_ADD, x->fd, &ev);
        }
        int k = epoll_wait(ep, events, MAX_EVENTS, next < n ? 0 : 60000);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 || (k == 0 && next == n)) break;
        for (int e = 0; e < k; e++) {
            struct conn *x = &c[events[e].data.u32];
            int verdict = 0;
            if (x->fd < 0) continue;
            if (!x->sent && (events[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0 || send(x->fd, request, request_len, MSG_NOSIGNAL) != request_len) {
                    verdict = -1;
                } else {
                    x->sent = 1;
                    x->buf = malloc(RESPONSE_MAX);
                }
            }
            /* Read only when told: a recv right after the send would just say EAGAIN. */
            int readable = events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
            while (verdict == 0 && x->sent && readable) {
                ssize_t r = recv(x->fd, x->buf + x->have, RESPONSE_MAX - x->have, 0);
                if (r < 0 && errno == EAGAIN) break;
                if (r <= 0) {
                    verdict = -1;
                    break;
                }
                x->have += (int) r;
                verdict = response_state(x->buf, x->have);
            }
            if (verdict != 0) {
                long long t = now_ns();
                close(x->fd);
                x->fd = -1;
                free(x->buf);
                done++;
                if (verdict > 0) {
                    long long took = t - x->start;
                    int slot = (int) ((t - t0) / 500000000LL);
                    profile[slot < SLOTS ? slot : SLOTS - 1]++;
                    fastest = fastest < 0 || took < fastest ? took : fastest;
                    slowest = took > slowest ? took : slowest;
                    ok++;
                } else {
                    failed++;
                }
            }
        }
    }
    long long wall = now_ns() - t0;
    double cpu1 = cpu_ms();
    for (int i = 0; i < n; i++) {
        if (c[i].fd >= 0) { close(c[i].fd); free(c[i].buf); failed++; }
    }
    close(ep);
    free(c);
    printf("RESULT pass=%d client=c-epoll requests=%d ok=%d failed=%d wall_ms=%.1f cpu_run_ms=%.1f cpu_total_ms=%.1f"
           " peak_rss_kb=%ld rss_kb=%ld peak_threads=1 fastest_ms=%.1f slowest_ms=%.1f t0_ns=%lld\n",
           pass, n, ok, failed, wall / 1e6, cpu1 - cpu0, cpu1, status_kb("VmHWM:"), status_kb("VmRSS:"),
           fastest < 0 ? 0 : fastest / 1e6, slowest / 1e6, t0);
    int last = 0;
    for (int i = 0; i < SLOTS; i++) if (profile[i]) last = i;
    printf("PROFILE pass=%d completions per half second since the clock started:", pass);
    for (int i = 0; i <= last; i++) printf(" %d.%ds:%d", i / 2, i % 2 ? 5 : 0, profile[i]);
    printf("\n");
    fflush(stdout);
    return ok == n;
}

/* Aims `to` and the request at PORT of HOST; the request's length (>= size if it does not fit). */
static int aim(struct sockaddr_in *to, char *request, size_t size, const char *host, int port, const char *path) {
    to->sin_port = htons((unsigned short) port);
    return snprintf(request, size, "GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n", path, host, port);
}

int main(int argc, char **argv) {
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: delay_client HOST PORT REQUESTS PATH [PASSES]\n");
        return 2;
    }
    struct sockaddr_in to = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
        fprintf(stderr, "delay_client: '%s' is not an IPv4 address\n", argv[1]);
        return 2;
    }
    int n = atoi(argv[3]);
    int passes = argc == 6 ? atoi(argv[5]) : 1;
    char request[2048];
    int len = aim(&to, request, sizeof request, argv[1], atoi(argv[2]), argv[4]);
    if (n <= 0 || passes <= 0 || len >= (int) sizeof request || strlen(argv[4]) > 1024) {
        fprintf(stderr, "delay_client: bad REQUESTS, PASSES or PATH\n");
        return 2;
    }
    int all_ok = 1;
    char go[64];
    for (int pass = 1; pass <= passes; pass++) {
        printf("READY pass=%d\n", pass);
        fflush(stdout);
        /* "GO PORT": this pass goes to that port of the same host; "GO" or end of input: same port. */
        if (fgets(go, sizeof go, stdin) && strncmp(go, "GO ", 3) == 0 && atoi(go + 3) > 0) {
            len = aim(&to, request, sizeof request, argv[1], atoi(go + 3), argv[4]);
        }
        all_ok &= run_pass(pass, &to, n, request, len);
    }
    return all_ok ? 0 : 1;
}
