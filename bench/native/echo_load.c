/*
 * echo_load.c -- the harness's TCP (or Unix socket) echo load generator: ONE thread, epoll,
 * non-blocking sockets, --conns connections, each keeping --depth messages of --size bytes in
 * flight (depth 1 is ping-pong; depth 16 is pipelined). Whenever echoes come back a connection
 * tops itself up to the depth with ONE batched write, so the server always sees depth messages
 * per connection. A write the socket did not fully take is kept and flushed on EPOLLOUT.
 *
 * Why C: the Java generator it replaces (one java.nio thread) ran its core at 0.93-0.99 in every
 * echo row, so those rows measured the generator. This one costs little more than its system
 * calls per message: its own code is under 5% of its cpu, the kernel's loopback TCP the rest. So
 * its core still runs near full at these rates, but no JIT or GC of its own moves the figures,
 * and the servers reach their core too: both ends are measured, as peers.
 *
 * Checks: each message's first byte is its sequence number's low byte and is checked when the
 * echo returns; a mismatch, or bytes beyond what was sent, count as "errors". A server that closes
 * or resets a connection is a fatal error (exit 1, the cause on stderr).
 *
 * Latency: from the write of a message's batch to the read that completed it (CLOCK_MONOTONIC,
 * read once per ready connection), in a log-linear histogram: exact below 1024 ns, then 1024
 * buckets per power of two, so any value is reported within 0.1% (like HdrHistogram with 3
 * significant digits), up to 60 s. Percentiles report the bucket's highest value.
 *
 * Fairness: conn_min and conn_max are the fewest and the most messages one connection completed
 * during the measurement. A server that serves its connections in turn keeps them within a few
 * messages of each other; a spread of several percent means some connections wait longer than
 * others, which shows in the tail latency before it shows in the rate.
 *
 * Edge-triggered (EPOLLET), as every event loop it loads: each readable connection is read until
 * a short read, so no edge is lost. Level-triggered, this generator put every connection it had
 * just served back on epoll's ready list to poll again, and the order it served them drifted:
 * measured against Pollen io_uring, the most-served connection completed up to 6.9% more
 * messages than the least-served (Netty io_uring: up to 2.3%); edge-triggered, 0.01% for both.
 *
 * gen_cpu: this process's cpu time (getrusage RUSAGE_SELF, user + sys) during the measurement
 * divided by its wall time (1.0 = one full core).
 *
 * --rate R (messages per second over all connections; 0, the default, is no limit): a fixed
 * offered load, for comparing what servers spend on the same work rather than how fast they go
 * (bench/echo-pairs.sh with RATE16/RATE1). A token bucket holding at most 2 ms of tokens paces the
 * writes; a connection short of its depth waits in a FIFO for tokens, and the generator wakes when
 * the next token is due (epoll_pwait2's nanosecond timeout, a 1 ns timer slack), so the writes are
 * spread as the rate asks. Why so precise: until it was, the generator slept a whole millisecond
 * whenever connections waited for tokens; against a server that answered quickly every connection
 * then waited, and the next millisecond's tokens went out at once, 100 messages in one burst at
 * 100k msg/s. The server's answers to the last of a burst waited for the first ones, and that
 * (300-500 us, about 2% of the messages) was the p99 measured: the generator's bursts, not the
 * server. Latency still runs from a message's write to its echo, so pacing is not counted. The
 * output line then also has "offered": R, and "burst": the mean number of messages written per
 * wake-up that wrote any (near 1 when the writes are spread); a rate well below the offered one
 * means the server could not keep up.
 *
 *   echo_load --port P | --unix PATH [--host 127.0.0.1] [--conns 100] [--depths 1,16] [--size 32]
 *             [--warmup 2] [--duration 5] [--rate 0]
 *
 * Each depth runs in turn on fresh connections (warm-up, then measurement) and prints one line:
 *   {"depth":16,"rate":...,"messages":...,"conn_min":...,"conn_max":...,"p50_us":...,"p99_us":...,
 *    "p999_us":...,"gen_cpu":...,"errors":0,"seconds":...}
 * The run of a depth ends at warmup + duration even if the server stalls. Exit status: 0 done,
 * 1 a system call or the server failed, 2 bad arguments.
 *
 * Build: gcc -O2 -Wall -Wextra -o bench/target/native/echo_load bench/native/echo_load.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTHS 16
#define READ_BUF (64 * 1024)
#define CONNECT_TIMEOUT_MS 10000
#define USAGE "usage: echo_load --port P | --unix PATH [--host H] [--conns N] [--depths D1,D2,...] " \
              "[--size BYTES] [--warmup S] [--duration S] [--rate MSGS_PER_S]\n"

/* ---- errors ---- */

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("echo_load: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* A failed system call: its name and errno's text. */
static void die_errno(const char *call, int err) {
    die("%s: %s", call, strerror(err));
}

static void usage(const char *why) {
    fprintf(stderr, "echo_load: %s\n" USAGE, why);
    exit(2);
}

/* ---- histogram: exact below 1024 ns, then 1024 linear buckets per power of two ---- */

#define SUB_BITS 10
#define SUB (1 << SUB_BITS)
#define MAX_NS 60000000000ULL                 /* 60 s; below 2^36 */
#define BUCKETS (SUB + (36 - SUB_BITS) * SUB) /* octaves 2^10 .. 2^35 */

static uint64_t hist[BUCKETS];
static uint64_t hist_total;

static int bucket_of(uint64_t ns) {
    if (ns < SUB) return (int) ns;
    int e = 63 - __builtin_clzll(ns); /* 2^e <= ns < 2^(e+1), e >= 10 */
    return SUB + (e - SUB_BITS) * SUB + (int) ((ns >> (e - SUB_BITS)) & (SUB - 1));
}

/* The highest value that falls in bucket i. */
static uint64_t bucket_top(int i) {
    if (i < SUB) return (uint64_t) i;
    int e = (i - SUB) / SUB + SUB_BITS;
    uint64_t low = ((uint64_t) SUB + (uint64_t) ((i - SUB) % SUB)) << (e - SUB_BITS);
    return low + (1ULL << (e - SUB_BITS)) - 1;
}

static void hist_record(uint64_t ns) {
    if (ns < 1) ns = 1;
    if (ns > MAX_NS) ns = MAX_NS;
    hist[bucket_of(ns)]++;
    hist_total++;
}

/* The value at a percentile, in µs (0 when nothing was recorded). */
static double hist_percentile_us(double pct) {
    if (hist_total == 0) return 0;
    uint64_t want = (uint64_t) (pct / 100.0 * (double) hist_total + 0.5);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += hist[i];
        if (seen >= want) return (double) bucket_top(i) / 1e3;
    }
    return (double) MAX_NS / 1e3;
}

/* ---- clocks ---- */

static uint64_t now_ns(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) die_errno("clock_gettime", errno);
    return (uint64_t) t.tv_sec * 1000000000ULL + (uint64_t) t.tv_nsec;
}

static uint64_t cpu_ns(void) {
    struct rusage r;
    if (getrusage(RUSAGE_SELF, &r) != 0) die_errno("getrusage", errno);
    return ((uint64_t) r.ru_utime.tv_sec + (uint64_t) r.ru_stime.tv_sec) * 1000000000ULL
           + ((uint64_t) r.ru_utime.tv_usec + (uint64_t) r.ru_stime.tv_usec) * 1000ULL;
}

/* ---- options ---- */

struct options {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int tcp;
    char target[320]; /* for messages: host:port or the socket path */
    int conns, size, ndepths;
    int depths[MAX_DEPTHS];
    double warmup, duration, rate;
};

static long parse_long(const char *name, const char *s, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        char why[160];
        snprintf(why, sizeof why, "--%s wants an integer in %ld..%ld, not '%s'", name, min, max, s);
        usage(why);
    }
    return v;
}

static double parse_seconds(const char *name, const char *s, double min) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= min) || v > 86400) {
        char why[160];
        snprintf(why, sizeof why, "--%s wants seconds (%s 0, at most 86400), not '%s'", name,
                 min > 0 ? ">" : ">=", s);
        usage(why);
    }
    return v;
}

static void parse_depths(struct options *o, const char *list) {
    char copy[256];
    if (strlen(list) >= sizeof copy) usage("--depths is too long");
    strcpy(copy, list);
    o->ndepths = 0;
    char *save = NULL;
    for (char *d = strtok_r(copy, ",", &save); d != NULL; d = strtok_r(NULL, ",", &save)) {
        if (o->ndepths == MAX_DEPTHS) usage("--depths lists too many depths");
        o->depths[o->ndepths++] = (int) parse_long("depths", d, 1, 4096);
    }
    if (o->ndepths == 0) usage("--depths is empty");
}

static void resolve(struct options *o, const char *host, long port, const char *unix_path) {
    memset(&o->addr, 0, sizeof o->addr);
    if (unix_path != NULL) {
        struct sockaddr_un *un = (struct sockaddr_un *) &o->addr;
        if (strlen(unix_path) >= sizeof un->sun_path) usage("--unix path is too long");
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, unix_path);
        o->addr_len = sizeof *un;
        o->tcp = 0;
        snprintf(o->target, sizeof o->target, "%s", unix_path);
        return;
    }
    char service[16];
    snprintf(service, sizeof service, "%ld", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) die("getaddrinfo(%s): %s", host, gai_strerror(rc));
    memcpy(&o->addr, res->ai_addr, res->ai_addrlen);
    o->addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    o->tcp = 1;
    snprintf(o->target, sizeof o->target, "%s:%ld", host, port);
}

static void parse_options(int argc, char **argv, struct options *o) {
    const char *host = "127.0.0.1", *unix_path = NULL, *depths = "1,16";
    long port = -1;
    o->conns = 100;
    o->size = 32;
    o->warmup = 2;
    o->duration = 5;
    o->rate = 0;
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i], *value;
        if (strncmp(name, "--", 2) != 0) usage("options start with --");
        name += 2;
        const char *eq = strchr(name, '=');
        char key[32];
        if (eq != NULL) { /* --name=value */
            if ((size_t) (eq - name) >= sizeof key) usage("unknown option");
            memcpy(key, name, (size_t) (eq - name));
            key[eq - name] = '\0';
            value = eq + 1;
        } else {
            if (strlen(name) >= sizeof key) usage("unknown option");
            strcpy(key, name);
            if (i + 1 >= argc) usage("an option lacks its value");
            value = argv[++i];
        }
        if (strcmp(key, "port") == 0) port = parse_long(key, value, 1, 65535);
        else if (strcmp(key, "unix") == 0) unix_path = value;
        else if (strcmp(key, "host") == 0) host = value;
        else if (strcmp(key, "conns") == 0) o->conns = (int) parse_long(key, value, 1, 100000);
        else if (strcmp(key, "depths") == 0 || strcmp(key, "depth") == 0) depths = value;
        else if (strcmp(key, "size") == 0) o->size = (int) parse_long(key, value, 1, 1 << 20);
        else if (strcmp(key, "warmup") == 0) o->warmup = parse_seconds(key, value, 0);
        else if (strcmp(key, "duration") == 0) o->duration = parse_seconds(key, value, 1e-3);
        else if (strcmp(key, "rate") == 0) o->rate = (double) parse_long(key, value, 0, 1000000000L);
        else {
            char why[80];
            snprintf(why, sizeof why, "unknown option --%s", key);
            usage(why);
        }
    }
    if ((port < 0) == (unix_path == NULL)) usage("give exactly one of --port and --unix");
    parse_depths(o, depths);
    for (int i = 0; i < o->ndepths; i++) {
        if ((long) o->depths[i] * o->size > 16L << 20) usage("--size times a depth exceeds 16 MiB");
    }
    resolve(o, host, port, unix_path);
}

/* ---- connections ---- */

struct conn {
    int fd;
    int head;          /* ring index of the oldest message in flight */
    int in_flight;
    int partial;       /* bytes of the oldest message already received */
    int want_out;      /* EPOLLOUT registered: unsent bytes wait */
    uint64_t next_seq; /* sequence number of the next message to send */
    uint64_t recv_seq; /* sequence number of the oldest message in flight */
    uint64_t *sent_at; /* ring of send times, one per message in flight */
    unsigned char *out; /* the last batch; out[unsent_off..unsent_len) is not written yet */
    size_t unsent_off, unsent_len;
    uint64_t measured; /* messages completed during the measurement */
    int queued;        /* waiting in the run's FIFO for tokens (--rate) */
};

struct run {
    const struct options *o;
    int depth, ep;
    struct conn *conns;
    unsigned char *in;
    uint64_t messages, errors;
    int recording;
    /* --rate: tokens (messages that may be written), when they were last added, and the FIFO of
     * connections short of their depth (ring of conns slots). */
    double tokens;
    uint64_t refilled;
    int *waiting, wait_head, wait_len;
    /* --rate: messages written in this turn of the loop; turns that wrote any, and their messages
     * (during the measurement), for "burst". */
    uint64_t turn_written, write_turns, turn_messages;
};

/* Waits for a non-blocking connect until the deadline; AF_UNIX answers EAGAIN while the backlog is full. */
static int connect_one(const struct options *o, int index) {
    int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die_errno("socket", errno);
    uint64_t deadline = now_ns() + CONNECT_TIMEOUT_MS * 1000000ULL;
    while (connect(fd, (const struct sockaddr *) &o->addr, o->addr_len) != 0) {
        int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN && now_ns() < deadline) {
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
            continue;
        }
        if (err != EINPROGRESS) die("connect to %s (connection %d): %s", o->target, index, strerror(err));
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        uint64_t now = now_ns();
        int rc = now < deadline ? poll(&p, 1, (int) ((deadline - now) / 1000000) + 1) : 0;
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) die_errno("poll", errno);
        if (rc == 0) die("connect to %s (connection %d): no answer within %d ms", o->target, index, CONNECT_TIMEOUT_MS);
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) die_errno("getsockopt(SO_ERROR)", errno);
        if (err != 0) die("connect to %s (connection %d): %s", o->target, index, strerror(err));
        break;
    }
    if (o->tcp) {
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die_errno("setsockopt(TCP_NODELAY)", errno);
    }
    return fd;
}

/* A connection failed: which, the call (or SO_ERROR) and why; err 0 is the server's end of stream. */
static void conn_failed(const struct run *r, const struct conn *c, const char *call, int err) {
    const char *hint = err == 0 || err == EPIPE || err == ECONNRESET ? " (the server closed the connection)" : "";
    die("connection %ld to %s: %s: %s%s", (long) (c - r->conns), r->o->target, call,
        err == 0 ? "end of stream" : strerror(err), hint);
}

static void set_interest(struct run *r, struct conn *c, int want_out) {
    struct epoll_event ev = {.events = EPOLLET | EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) die_errno("epoll_ctl(MOD)", errno);
    c->want_out = want_out;
}

/* Writes what is unsent; registers or drops EPOLLOUT as the socket takes it or not. */
static void flush(struct run *r, struct conn *c) {
    while (c->unsent_off < c->unsent_len) {
        ssize_t n = send(c->fd, c->out + c->unsent_off, c->unsent_len - c->unsent_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            conn_failed(r, c, "send", errno);
        }
        c->unsent_off += (size_t) n;
    }
    int pending = c->unsent_off < c->unsent_len;
    if (pending != c->want_out) set_interest(r, c, pending);
}

/* Sends as many messages as the connection is short of its depth (and, with --rate, as tokens
 * allow: the rest waits in the FIFO), in one write. */
static void top_up(struct run *r, struct conn *c, uint64_t now) {
    int missing = r->depth - c->in_flight, size = r->o->size;
    if (missing == 0) return;
    if (r->o->rate > 0) {
        int allowed = r->tokens < missing ? (int) r->tokens : missing;
        if (allowed < missing && !c->queued) {
            r->waiting[(r->wait_head + r->wait_len++) % r->o->conns] = (int) (c - r->conns);
            c->queued = 1;
        }
        if (allowed == 0) return;
        r->tokens -= allowed;
        missing = allowed;
        r->turn_written += (uint64_t) allowed;
    }
    for (int i = 0; i < missing; i++) {
        c->sent_at[(c->head + c->in_flight) % r->depth] = now;
        c->in_flight++;
        c->out[(size_t) i * size] = (unsigned char) c->next_seq++;
    }
    c->unsent_off = 0;
    c->unsent_len = (size_t) missing * size;
    flush(r, c);
}

/* Reads what arrived, completing messages in order and checking their first byte. */
static void on_readable(struct run *r, struct conn *c, uint64_t now) {
    const int size = r->o->size;
    for (;;) {
        ssize_t n = recv(c->fd, r->in, READ_BUF, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return;
            conn_failed(r, c, "recv", errno);
        }
        if (n == 0) conn_failed(r, c, "recv", 0);
        for (ssize_t pos = 0; pos < n;) {
            if (c->partial == 0 && r->in[pos] != (unsigned char) c->recv_seq) r->errors++;
            ssize_t take = size - c->partial < n - pos ? size - c->partial : n - pos;
            pos += take;
            c->partial += (int) take;
            if (c->partial < size) continue;
            c->partial = 0;
            if (c->in_flight == 0) { /* more bytes than were sent */
                r->errors++;
                continue;
            }
            if (r->recording) {
                hist_record(now - c->sent_at[c->head]);
                r->messages++;
                c->measured++;
            }
            c->head = (c->head + 1) % r->depth;
            c->in_flight--;
            c->recv_seq++;
        }
        if (n < READ_BUF) return;
    }
}

/* --rate: the most tokens the bucket holds, 2 ms worth (at least one), so a stall is not followed
 * by a burst; a run starts with a full bucket. */
static double bucket_cap(double rate) {
    return rate * 0.002 < 1 ? 1 : rate * 0.002;
}

/* --rate: adds the tokens earned since the last call (up to bucket_cap), then serves the
 * connections waiting for them, oldest first. */
static void pace(struct run *r, uint64_t now) {
    double cap = bucket_cap(r->o->rate);
    r->tokens += r->o->rate * (double) (now - r->refilled) / 1e9;
    if (r->tokens > cap) r->tokens = cap;
    r->refilled = now;
    while (r->wait_len > 0 && r->tokens >= 1) {
        struct conn *c = &r->conns[r->waiting[r->wait_head]];
        r->wait_head = (r->wait_head + 1) % r->o->conns;
        r->wait_len--;
        c->queued = 0;
        if (c->unsent_off == c->unsent_len) top_up(r, c, now); /* else EPOLLOUT tops it up */
    }
}

/* --rate: the shortest wait for tokens. Waking for every token at a million a second would spin
 * the generator's core (it ran at 1.00 of it, writing under 5 messages per wake-up); 10 us is one
 * token at 100k msg/s and ten at 1M. */
#define TOKEN_WAIT_MIN_NS 10000ULL

/* --rate: nanoseconds until the connection first in the FIFO may write (its token is due, and at
 * least TOKEN_WAIT_MIN_NS), or UINT64_MAX when none waits. */
static uint64_t next_token_ns(const struct run *r) {
    if (r->o->rate <= 0 || r->wait_len == 0) return UINT64_MAX;
    if (r->tokens >= 1) return 0;
    uint64_t due = (uint64_t) ((1 - r->tokens) * 1e9 / r->o->rate) + 1;
    return due < TOKEN_WAIT_MIN_NS ? TOKEN_WAIT_MIN_NS : due;
}

/* Waits for events until timeout_ns; epoll_pwait2 (Linux 5.11) keeps the nanoseconds, and where
 * the kernel lacks it the wait rounds up to epoll_wait's milliseconds. */
static int wait_events(struct run *r, struct epoll_event *events, uint64_t timeout_ns) {
    static int no_pwait2;
    if (!no_pwait2) {
        struct timespec ts = {(time_t) (timeout_ns / 1000000000ULL), (long) (timeout_ns % 1000000000ULL)};
        int n = epoll_pwait2(r->ep, events, r->o->conns, &ts, NULL);
        if (n >= 0 || errno != ENOSYS) return n;
        no_pwait2 = 1;
    }
    return epoll_wait(r->ep, events, r->o->conns, (int) ((timeout_ns + 999999) / 1000000));
}

static void on_event(struct run *r, struct conn *c, uint32_t events) {
    uint64_t now = now_ns();
    if (events & EPOLLERR) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) die_errno("getsockopt(SO_ERROR)", errno);
        if (err != 0) conn_failed(r, c, "SO_ERROR", err);
    }
    if (events & EPOLLOUT) flush(r, c);
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(r, c, now);
    if (c->unsent_off == c->unsent_len) top_up(r, c, now);
}

static void open_conns(struct run *r) {
    const struct options *o = r->o;
    r->ep = epoll_create1(EPOLL_CLOEXEC);
    if (r->ep < 0) die_errno("epoll_create1", errno);
    r->conns = calloc((size_t) o->conns, sizeof *r->conns);
    if (r->conns == NULL) die("out of memory for %d connections", o->conns);
    for (int i = 0; i < o->conns; i++) {
        struct conn *c = &r->conns[i];
        c->sent_at = calloc((size_t) r->depth, sizeof *c->sent_at);
        c->out = calloc((size_t) r->depth, (size_t) o->size);
        if (c->sent_at == NULL || c->out == NULL) die("out of memory for connection %d", i);
        c->fd = connect_one(o, i);
        struct epoll_event ev = {.events = EPOLLET | EPOLLIN, .data.ptr = c};
        if (epoll_ctl(r->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) die_errno("epoll_ctl(ADD)", errno);
    }
}

static void close_conns(struct run *r) {
    for (int i = 0; i < r->o->conns; i++) {
        if (close(r->conns[i].fd) != 0) die_errno("close", errno);
        free(r->conns[i].sent_at);
        free(r->conns[i].out);
    }
    free(r->conns);
    if (close(r->ep) != 0) die_errno("close(epoll)", errno);
}

/* One depth on fresh connections: warm-up, measurement, one JSON line. */
static void run_depth(const struct options *o, int depth, unsigned char *in, struct epoll_event *events) {
    struct run r = {.o = o, .depth = depth, .in = in};
    open_conns(&r);
    r.waiting = calloc((size_t) o->conns, sizeof *r.waiting);
    if (r.waiting == NULL) die("out of memory for %d connections", o->conns);
    uint64_t now = now_ns();
    r.refilled = now;
    r.tokens = bucket_cap(o->rate);
    for (int i = 0; i < o->conns; i++) top_up(&r, &r.conns[i], now);

    uint64_t measure_start = now + (uint64_t) (o->warmup * 1e9);
    uint64_t end = measure_start + (uint64_t) (o->duration * 1e9);
    uint64_t cpu_start = cpu_ns(); /* replaced when the measurement starts */
    while (now < end) {
        if (!r.recording && now >= measure_start) {
            r.recording = 1;
            r.messages = 0;
            for (int i = 0; i < o->conns; i++) r.conns[i].measured = 0;
            memset(hist, 0, sizeof hist);
            hist_total = 0;
            cpu_start = cpu_ns();
            measure_start = now;
        }
        /* Wake up by the next phase change at the latest, so a stalled server cannot hold the run,
         * and when the next token is due. */
        uint64_t until = r.recording ? end : measure_start;
        uint64_t timeout = until - now < 100000000ULL ? until - now : 100000000ULL;
        uint64_t token = next_token_ns(&r);
        if (token < timeout) timeout = token;
        int n = wait_events(&r, events, timeout);
        if (n < 0 && errno != EINTR) die_errno("epoll_wait", errno);
        for (int i = 0; i < n; i++) on_event(&r, events[i].data.ptr, events[i].events);
        now = now_ns();
        if (o->rate > 0) {
            pace(&r, now);
            if (r.recording && r.turn_written > 0) {
                r.write_turns++;
                r.turn_messages += r.turn_written;
            }
            r.turn_written = 0;
        }
    }
    double seconds = (double) (now - measure_start) / 1e9;
    double cpu = (double) (cpu_ns() - cpu_start) / 1e9 / seconds;
    uint64_t conn_min = UINT64_MAX, conn_max = 0;
    for (int i = 0; i < o->conns; i++) {
        if (r.conns[i].measured < conn_min) conn_min = r.conns[i].measured;
        if (r.conns[i].measured > conn_max) conn_max = r.conns[i].measured;
    }
    close_conns(&r);
    free(r.waiting);
    char offered[80] = "";
    if (o->rate > 0)
        snprintf(offered, sizeof offered, ",\"offered\":%.0f,\"burst\":%.2f", o->rate,
                 r.write_turns == 0 ? 0.0 : (double) r.turn_messages / (double) r.write_turns);
    printf("{\"depth\":%d,\"rate\":%.1f,\"messages\":%llu,\"conn_min\":%llu,\"conn_max\":%llu,"
           "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"gen_cpu\":%.3f,\"errors\":%llu,\"seconds\":%.3f%s}\n",
           depth, (double) r.messages / seconds, (unsigned long long) r.messages, (unsigned long long) conn_min,
           (unsigned long long) conn_max, hist_percentile_us(50),
           hist_percentile_us(99), hist_percentile_us(99.9), cpu, (unsigned long long) r.errors, seconds, offered);
    if (fflush(stdout) != 0) die_errno("fflush(stdout)", errno);
}

int main(int argc, char **argv) {
    struct options o;
    parse_options(argc, argv, &o);
    /* --rate: a wait for the next token ends when it is due, not up to the default 50 us later. */
    if (o.rate > 0 && prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) != 0) die_errno("prctl(PR_SET_TIMERSLACK)", errno);
    unsigned char *in = malloc(READ_BUF);
    struct epoll_event *events = calloc((size_t) o.conns, sizeof *events);
    if (in == NULL || events == NULL) die("out of memory");
    for (int i = 0; i < o.ndepths; i++) run_depth(&o, o.depths[i], in, events);
    free(in);
    free(events);
    return 0;
}
