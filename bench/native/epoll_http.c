/*
 * epoll_http.c -- the physical-limit reference of the comparative harness.
 *
 * A minimal HTTP/1.1 plaintext server and TCP echo server on raw epoll, written
 * for bench/run.sh: one event loop per thread (one thread by default, so
 * "single-threaded"); with --threads N each thread owns its own epoll instance
 * and its own SO_REUSEPORT listeners, so the kernel spreads connections.
 *
 *   epoll_http --http-port P --echo-port Q [--threads N]
 *
 * HTTP: every complete request in the read buffer (pipelining) gets one
 * response, and all responses produced by one read are sent with one write.
 * GET /plaintext answers the harness's common response; any other path gets
 * 404; a request without a blank line within the buffer gets 400 and a close.
 * "Connection: close" is honoured. Request bodies are not supported (a request
 * with Content-Length or Transfer-Encoding gets 400), which is all wrk sends.
 *
 * What it is not: a general HTTP server. It exists to show how fast the kernel
 * lets a single core answer this workload, so Java numbers have a ceiling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536
#define MAX_EVENTS 512
#define BODY "Hello, World!"

enum kind { LISTEN_HTTP, LISTEN_ECHO, CONN_HTTP, CONN_ECHO };

struct conn {
    int fd;
    enum kind kind;
    size_t in_len;           /* bytes buffered in in[] not yet parsed */
    size_t out_len, out_off; /* pending output when a write would block */
    int close_after_write;
    char in[BUF_SIZE];
    char out[BUF_SIZE];
};

static int http_port, echo_port;

/* The Date header changes once a second; every thread formats its own copy. */
struct date_cache { time_t second; char value[64]; };

static const char *date_now(struct date_cache *dc) {
    time_t now = time(NULL);
    if (now != dc->second) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(dc->value, sizeof dc->value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        dc->second = now;
    }
    return dc->value;
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
    if (listen(fd, 4096) < 0) { perror("listen"); exit(1); }
    return fd;
}

static void add(int ep, struct conn *c, uint32_t events) {
    struct epoll_event ev = { .events = events, .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) { perror("epoll_ctl"); exit(1); }
}

static void drop(struct conn *c) {
    close(c->fd); /* closing removes it from the epoll set */
    free(c);
}

/* Writes pending output; returns 0 when all is sent, 1 when it would block, -1 on error. */
static int flush_out(struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n > 0) { c->out_off += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 1;
        return -1;
    }
    c->out_off = c->out_len = 0;
    return 0;
}

static void append(struct conn *c, const char *s, size_t n) {
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

static int has_header(const char *req, size_t len, const char *name) {
    return memmem(req, len, name, strlen(name)) != NULL;
}

/* Parses every complete request in c->in and appends a response for each. */
static void serve_http(struct conn *c, struct date_cache *dc) {
    size_t off = 0;
    char head[256];
    while (off < c->in_len && !c->close_after_write) {
        char *start = c->in + off;
        char *end = memmem(start, c->in_len - off, "\r\n\r\n", 4);
        if (!end) break;
        size_t req_len = (size_t)(end - start) + 4;
        /* Leave room for one more response; the rest waits for the next write. */
        if (c->out_len + 512 > BUF_SIZE) break;
        int bad = (has_header(start, req_len, "\nContent-Length:") && !has_header(start, req_len, "\nContent-Length: 0"))
                  || has_header(start, req_len, "\nTransfer-Encoding:");
        if (bad) {
            static const char r400[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            append(c, r400, sizeof r400 - 1);
            c->close_after_write = 1;
        } else if (req_len > 19 && memcmp(start, "GET /plaintext ", 15) == 0) {
            int n = snprintf(head, sizeof head,
                             "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
                             "Server: pollen-bench\r\nDate: %s\r\n\r\n" BODY, date_now(dc));
            append(c, head, (size_t)n);
        } else {
            int n = snprintf(head, sizeof head,
                             "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nServer: pollen-bench\r\nDate: %s\r\n\r\n",
                             date_now(dc));
            append(c, head, (size_t)n);
        }
        if (has_header(start, req_len, "\nConnection: close")) c->close_after_write = 1;
        off += req_len;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    /* A full buffer without one complete request head can never complete. */
    if (c->in_len == BUF_SIZE && !c->close_after_write && !memmem(c->in, c->in_len, "\r\n\r\n", 4)) {
        static const char r431[] = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        append(c, r431, sizeof r431 - 1);
        c->close_after_write = 1;
    }
}

/* Edge-triggered: answer what is buffered, then read until EAGAIN; returns -1 to drop the connection. */
static int on_conn(struct conn *c, uint32_t events, struct date_cache *dc) {
    if (events & EPOLLERR) return -1;
    for (;;) {
        if (c->kind == CONN_HTTP) serve_http(c, dc);
        int r = flush_out(c);
        if (r < 0) return -1;
        if (r == 1) return 0; /* EPOLLOUT (registered with EPOLLET) resumes us */
        if (c->close_after_write) return -1;
        /* Output is empty here, so an echo always has room. */
        size_t room = c->kind == CONN_ECHO ? BUF_SIZE : BUF_SIZE - c->in_len;
        if (room == 0) continue; /* input full of answered-later requests: serve them first */
        char *dst = c->kind == CONN_ECHO ? c->out : c->in + c->in_len;
        ssize_t n = read(c->fd, dst, room);
        if (n == 0) return -1;
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return (events & EPOLLHUP) ? -1 : 0;
            return -1;
        }
        if (c->kind == CONN_ECHO) c->out_len = (size_t)n;
        else c->in_len += (size_t)n;
    }
}

static void *loop(void *arg) {
    (void)arg;
    struct date_cache dc = { 0 };
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) { perror("epoll_create1"); exit(1); }
    struct conn lh = { .fd = listen_on(http_port), .kind = LISTEN_HTTP };
    struct conn le = { .fd = listen_on(echo_port), .kind = LISTEN_ECHO };
    add(ep, &lh, EPOLLIN);
    add(ep, &le, EPOLLIN);
    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0) { if (errno == EINTR) continue; perror("epoll_wait"); exit(1); }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c->kind == LISTEN_HTTP || c->kind == LISTEN_ECHO) {
                for (;;) {
                    int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break; /* EAGAIN, or a transient error: wait for the next event */
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = malloc(sizeof *nc);
                    if (!nc) { close(fd); continue; }
                    nc->fd = fd;
                    nc->kind = c->kind == LISTEN_HTTP ? CONN_HTTP : CONN_ECHO;
                    nc->in_len = nc->out_len = nc->out_off = 0;
                    nc->close_after_write = 0;
                    add(ep, nc, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
                }
            } else if (on_conn(c, evs[i].events, &dc) < 0) {
                drop(c);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--http-port")) http_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--echo-port")) echo_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads") || !strcmp(argv[i], "--loops")) threads = atoi(argv[i + 1]);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (http_port <= 0 || echo_port <= 0 || threads <= 0) {
        fprintf(stderr, "usage: %s --http-port P --echo-port Q [--threads N]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    pthread_t t[64];
    if (threads > 64) threads = 64;
    for (int i = 1; i < threads; i++) pthread_create(&t[i], NULL, loop, NULL);
    printf("READY epoll_http http=%d echo=%d threads=%d\n", http_port, echo_port, threads);
    fflush(stdout);
    loop(NULL);
    return 0;
}
