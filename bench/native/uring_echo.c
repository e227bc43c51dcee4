/*
 * uring_echo.c -- the io_uring floor of the echo benchmarks: a TCP echo server on one thread that
 * asks the kernel for as little as an io_uring server can, with no runtime around it.
 *
 *   uring_echo --echo-port P [--spin-ns N] [--fixed-files 1] [--loops 1] [--http-port Q]
 *
 * --loops and --http-port are what the comparative harness (bench/run.sh, server c-io_uring) passes
 * every server: one loop is all there is, and no HTTP is served. Where io_uring cannot be set up
 * (not allowed, or too old a kernel for a ring or a provided-buffer ring) it prints
 * "UNAVAILABLE <why>" and exits 3, as the harness's Java servers do, so that the harness reports
 * it unavailable rather than failed.
 *
 * --spin-ns N makes it spend N ns of cpu (a clock_gettime loop) on every send completion, once per
 * echoed window: a server with that much more code of its own per window, everything else equal,
 * to measure what a server's own cost does to its rate (bench/echo-pairs.sh with
 * c-io_uring-spinN, which bench/bench-server.sh starts with --spin-ns N).
 *
 * --fixed-files 1 adds the two kernel options this server (and Pollen) otherwise goes without: the
 * connections' descriptors in a registered file table (sparse, a slot per descriptor number, filled
 * by IORING_REGISTER_FILES_UPDATE on accept and emptied before close) used by every recv and send
 * (IOSQE_FIXED_FILE: no file lookup and reference count per operation), and the ring's own
 * descriptor registered (IORING_REGISTER_RING_FDS, then IORING_ENTER_REGISTERED_RING on every
 * enter). Why: to measure whether they lower the floor, before any runtime builds them
 * (bench/echo-pairs.sh c-io_uring c-io_uring-fixed; bench/bench-server.sh starts the latter with
 * this option). Where the kernel has neither it prints UNAVAILABLE and exits 3, as below.
 *
 * Why: issue #13 asks Pollen's io_uring driver for a 1.1x lead over Netty's io_uring at 16
 * messages in flight. Pollen and Netty (with its provided-buffer ring) already submit one recv and
 * one send per connection window there (bench/echo-cost.sh). What a server's own code can still win
 * is bounded by what a server with almost no code of its own costs: this one. bench/echo-cost.sh
 * measures it beside the Java servers (SERVERS="c-io_uring ..."), so the bound is a measurement of
 * the same run, not an estimate.
 *
 * What it does, the way the two Java servers do it at their best: raw system calls (no liburing);
 * a ring set up with SINGLE_ISSUER | DEFER_TASKRUN | COOP_TASKRUN | SUBMIT_ALL where the kernel
 * has them; one io_uring_enter per loop iteration that submits and waits; multishot accept;
 * multishot recv into a provided-buffer ring (IORING_REGISTER_PBUF_RING, 1,024 buffers of 2 KiB);
 * each received buffer sent back as it is (IORING_OP_SEND with MSG_WAITALL, one send in flight per
 * connection, the rest queued in order) and handed back to the ring when its send completes.
 * A recv that ends (no IORING_CQE_F_MORE) is re-armed, ENOBUFS included; a failed accept (out of
 * descriptors, say) is retried after 10 ms, so the loop never spins on a connection it cannot
 * take; after EOF what was received is still echoed, then the connection is closed; a failed
 * send shuts the socket down, which ends the recv, and the connection is closed once neither a
 * recv nor a send is in flight. user_data carries the descriptor and a generation, so a
 * completion for a closed connection cannot be taken for a new one on the same descriptor.
 *
 * What it is not: a server to copy. No HTTP, no timeouts, no back-pressure beyond the buffer ring,
 * and it exits on any setup error (and, with --fixed-files, on a failed table update). It prints
 * "READY uring_echo echo=P" when it listens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ENTRIES 4096
#define BUFS 1024           /* a power of two: the provided-buffer ring's size */
#define BUF_SIZE 2048
#define GROUP 0
#define MAX_FDS 65536
#define TAG_ACCEPT 1
#define TAG_RECV 2
#define TAG_SEND 3
#define TAG_ACCEPT_RETRY 4

static void die(const char *what, int err) {
    fprintf(stderr, "uring_echo: %s: %s\n", what, strerror(err));
    exit(1);
}

/* io_uring, or the part of it this server needs, cannot be had here: the harness's way of saying so. */
static void unavailable(const char *what, int err) {
    printf("UNAVAILABLE %s: %s\n", what, strerror(err));
    exit(3);
}

/* The rings as mapped: the kernel owns the heads of the SQ and the tail of the CQ, we the others. */
static struct {
    int fd;
    unsigned *sq_head, *sq_tail, sq_mask, sq_entries, sq_local;
    struct io_uring_sqe *sqes;
    unsigned *cq_head, *cq_tail, cq_mask;
    struct io_uring_cqe *cqes;
    unsigned pending; /* SQEs written since the last enter */
    int enter_fd;     /* what io_uring_enter is given: fd, or its registered index (--fixed-files) */
    unsigned enter_flags;
} ring;

static struct io_uring_buf_ring *bufring;
static char *bufmem;
static unsigned short buf_tail;

struct conn {
    uint32_t gen;
    int open, receiving, sending, failed; /* receiving: a multishot recv is armed */
    int first, last;              /* received buffers not yet echoed, in order (-1: none) */
    unsigned off;                 /* bytes of the first one already sent */
};
static struct conn *conns;
static long spin_ns;
static int fixed_files;           /* --fixed-files: recv and send name a registered file slot */
static unsigned file_slots;       /* the registered table's size (descriptors at or past it are refused) */
static unsigned buf_len[BUFS];    /* by buffer id: the bytes received into it */
static int buf_next[BUFS];        /* by buffer id: the next one of the same connection, or -1 */

static long enter(unsigned submit, unsigned wait) {
    return syscall(SYS_io_uring_enter, ring.enter_fd, submit, wait,
                   (wait ? IORING_ENTER_GETEVENTS : 0) | ring.enter_flags, NULL, 0);
}

static void submit_pending(unsigned wait) {
    atomic_store_explicit((_Atomic unsigned *)ring.sq_tail, ring.sq_local, memory_order_release);
    for (;;) {
        long n = enter(ring.pending, wait);
        if (n >= 0) { ring.pending -= (unsigned)n < ring.pending ? (unsigned)n : ring.pending; return; }
        if (errno == EINTR) continue;
        if (errno == EBUSY || errno == EAGAIN) { wait = 1; continue; } /* CQ full: reap first (caller loops) */
        die("io_uring_enter", errno);
    }
}

static struct io_uring_sqe *sqe(void) {
    unsigned head = atomic_load_explicit((_Atomic unsigned *)ring.sq_head, memory_order_acquire);
    if (ring.sq_local - head == ring.sq_entries) submit_pending(0);
    struct io_uring_sqe *s = &ring.sqes[ring.sq_local & ring.sq_mask];
    memset(s, 0, sizeof *s);
    ring.sq_local++;
    ring.pending++;
    return s;
}

static uint64_t data(int fd, int tag) { return (uint64_t)conns[fd].gen << 32 | (uint64_t)fd << 8 | (uint64_t)tag; }

/* A cleared SQE with what every operation here sets; the caller adds the rest. */
static struct io_uring_sqe *prep(unsigned char op, int fd, unsigned short ioprio, uint64_t user_data) {
    struct io_uring_sqe *s = sqe();
    s->opcode = op;
    s->fd = fd;
    s->ioprio = ioprio;
    s->user_data = user_data;
    if (fixed_files && (op == IORING_OP_RECV || op == IORING_OP_SEND)) s->flags = IOSQE_FIXED_FILE;
    return s;
}

/* --fixed-files: puts file (a descriptor, or -1 to empty it) in slot fd of the registered table. */
static void file_slot(int fd, int file) {
    struct io_uring_files_update u = {.offset = (unsigned)fd, .fds = (uint64_t)(uintptr_t)&file};
    if (syscall(SYS_io_uring_register, ring.fd, IORING_REGISTER_FILES_UPDATE, &u, 1) != 1)
        die("IORING_REGISTER_FILES_UPDATE", errno);
}

static void arm_recv(int fd) {
    struct io_uring_sqe *s = prep(IORING_OP_RECV, fd, IORING_RECV_MULTISHOT, data(fd, TAG_RECV));
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = GROUP;
    conns[fd].receiving = 1;
}

static void send_head(int fd) {
    struct conn *c = &conns[fd];
    unsigned bid = (unsigned)c->first;
    struct io_uring_sqe *s = prep(IORING_OP_SEND, fd, 0, data(fd, TAG_SEND));
    s->addr = (uint64_t)(uintptr_t)(bufmem + (size_t)bid * BUF_SIZE + c->off);
    s->len = buf_len[bid] - c->off;
    s->msg_flags = MSG_WAITALL | MSG_NOSIGNAL;
    c->sending = 1;
}

/* Hands a buffer back to the kernel; published with the ring's tail once per batch of completions. */
static void give_back(unsigned bid) {
    struct io_uring_buf *b = &bufring->bufs[buf_tail & (BUFS - 1)];
    b->addr = (uint64_t)(uintptr_t)(bufmem + (size_t)bid * BUF_SIZE);
    b->len = BUF_SIZE;
    b->bid = (unsigned short)bid;
    buf_tail++;
}

static void close_if_done(int fd) {
    struct conn *c = &conns[fd];
    if (c->receiving || c->sending || (c->first >= 0 && !c->failed) || !c->open) return;
    for (int b = c->first; b >= 0; b = buf_next[b]) give_back((unsigned)b);
    c->open = 0;
    c->gen++;
    if (fixed_files) file_slot(fd, -1);  /* the table holds a reference: emptied first, or close keeps the socket open */
    close(fd);
}

static void on_recv(int fd, int res, unsigned flags) {
    struct conn *c = &conns[fd];
    if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
        unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
        if (c->failed) { give_back(bid); }
        else {
            buf_len[bid] = (unsigned)res;
            buf_next[bid] = -1;
            if (c->first < 0) { c->first = c->last = (int)bid; c->off = 0; send_head(fd); }
            else { buf_next[c->last] = (int)bid; c->last = (int)bid; }
        }
    }
    if (flags & IORING_CQE_F_MORE) return;
    c->receiving = 0;
    if ((res > 0 || res == -ENOBUFS) && !c->failed) { arm_recv(fd); return; }
    close_if_done(fd); /* 0: the peer's FIN (what was received is still sent); < 0: an error */
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void on_send(int fd, int res) {
    struct conn *c = &conns[fd];
    if (spin_ns > 0) {
        long until = now_ns() + spin_ns;
        while (now_ns() < until) {}
    }
    unsigned bid = (unsigned)c->first;
    c->sending = 0;
    if (res < 0) { /* the peer is gone: end the recv too, then close */
        c->failed = 1;
        shutdown(fd, SHUT_RDWR);
        close_if_done(fd);
        return;
    }
    c->off += (unsigned)res;
    if (c->off < buf_len[bid]) { send_head(fd); return; } /* a short send: the rest */
    give_back(bid);
    c->first = buf_next[bid];
    c->off = 0;
    if (c->first >= 0) send_head(fd);
    else close_if_done(fd);
}

static void on_accept(int listener, int res, unsigned flags) {
    if (res >= 0) {
        if (res >= MAX_FDS || (fixed_files && (unsigned)res >= file_slots)) { close(res); }
        else {
            int one = 1;
            setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            struct conn *c = &conns[res];
            uint32_t gen = c->gen;
            memset(c, 0, sizeof *c);
            c->gen = gen;
            c->open = 1;
            c->first = c->last = -1;
            if (fixed_files) file_slot(res, res);
            arm_recv(res);
        }
    }
    if (flags & IORING_CQE_F_MORE) return;
    if (res < 0 && res != -ECANCELED) {
        /* Failed (EMFILE, ENFILE, ENOMEM...): accepting again at once would fail again at once while
         * a connection waits in the backlog, and the loop would spin. Wait 10 ms (a timeout on the
         * ring, so the connections already open are served meanwhile), then accept again. */
        static struct __kernel_timespec retry_after = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
        struct io_uring_sqe *t = prep(IORING_OP_TIMEOUT, -1, 0, TAG_ACCEPT_RETRY);
        t->addr = (uint64_t)(uintptr_t)&retry_after;
        t->len = 1;
        return;
    }
    prep(IORING_OP_ACCEPT, listener, IORING_ACCEPT_MULTISHOT, TAG_ACCEPT)->accept_flags = SOCK_CLOEXEC;
}

/* --fixed-files: a sparse table with a slot per descriptor this process may open, and the ring's fd. */
static void register_files(void) {
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) < 0) die("getrlimit", errno);
    file_slots = lim.rlim_cur < MAX_FDS ? (unsigned)lim.rlim_cur : MAX_FDS;  /* the kernel refuses more */
    struct io_uring_rsrc_register r = {.nr = file_slots, .flags = IORING_RSRC_REGISTER_SPARSE};
    if (syscall(SYS_io_uring_register, ring.fd, IORING_REGISTER_FILES2, &r, sizeof r) < 0)
        unavailable("a sparse registered file table (Linux 5.19 and later)", errno);
    struct io_uring_rsrc_update u = {.offset = -1U, .data = (uint64_t)ring.fd};   /* any free index */
    if (syscall(SYS_io_uring_register, ring.fd, IORING_REGISTER_RING_FDS, &u, 1) != 1)
        unavailable("IORING_REGISTER_RING_FDS (Linux 5.18 and later)", errno);
    ring.enter_fd = (int)u.offset;
    ring.enter_flags = IORING_ENTER_REGISTERED_RING;
}

static void setup(void) {
    struct io_uring_params p;
    unsigned wanted[] = {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN
                             | IORING_SETUP_SUBMIT_ALL, IORING_SETUP_SUBMIT_ALL, 0};
    for (unsigned i = 0;; i++) {
        memset(&p, 0, sizeof p);
        p.flags = wanted[i] | IORING_SETUP_CQSIZE;
        p.cq_entries = 4 * ENTRIES;
        ring.fd = (int)syscall(SYS_io_uring_setup, ENTRIES, &p);
        if (ring.fd >= 0) break;
        if (errno != EINVAL || wanted[i] == 0) unavailable("io_uring_setup", errno);
    }
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (p.features & IORING_FEAT_SINGLE_MMAP) sq_size = cq_size = sq_size > cq_size ? sq_size : cq_size;
    char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQ_RING);
    if (sq == MAP_FAILED) die("mmap sq", errno);
    char *cq = sq;
    if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
        cq = mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_CQ_RING);
        if (cq == MAP_FAILED) die("mmap cq", errno);
    }
    ring.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQES);
    if (ring.sqes == MAP_FAILED) die("mmap sqes", errno);
    ring.sq_head = (unsigned *)(sq + p.sq_off.head);
    ring.sq_tail = (unsigned *)(sq + p.sq_off.tail);
    ring.sq_mask = *(unsigned *)(sq + p.sq_off.ring_mask);
    ring.sq_entries = p.sq_entries;
    unsigned *array = (unsigned *)(sq + p.sq_off.array);
    for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i; /* SQE i is always at slot i */
    ring.sq_local = *ring.sq_tail;
    ring.cq_head = (unsigned *)(cq + p.cq_off.head);
    ring.cq_tail = (unsigned *)(cq + p.cq_off.tail);
    ring.cq_mask = *(unsigned *)(cq + p.cq_off.ring_mask);
    ring.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);

    bufring = mmap(NULL, BUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    bufmem = mmap(NULL, (size_t)BUFS * BUF_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (bufring == MAP_FAILED || bufmem == MAP_FAILED) die("mmap buffers", errno);
    struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)bufring, .ring_entries = BUFS, .bgid = GROUP};
    if (syscall(SYS_io_uring_register, ring.fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
        unavailable("IORING_REGISTER_PBUF_RING (Linux 5.19 and later)", errno);
    ring.enter_fd = ring.fd;
    if (fixed_files) register_files();
    for (unsigned i = 0; i < BUFS; i++) give_back(i);
    atomic_store_explicit((_Atomic unsigned short *)&bufring->tail, buf_tail, memory_order_release);
}

static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0) die("socket", errno);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind", errno);
    if (listen(fd, 4096) < 0) die("listen", errno);
    return fd;
}

int main(int argc, char **argv) {
    int port = 0, loops = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--echo-port") == 0) port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--spin-ns") == 0) spin_ns = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--fixed-files") == 0) fixed_files = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--loops") == 0) loops = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--http-port") != 0) { fprintf(stderr, "uring_echo: unknown option %s\n", argv[i]); return 2; }
    }
    if (port <= 0 || port > 65535 || spin_ns < 0 || loops != 1 || (fixed_files != 0 && fixed_files != 1)) {
        fprintf(stderr, "usage: uring_echo --echo-port P [--spin-ns N] [--fixed-files 1] [--loops 1] [--http-port Q]\n");
        return 2;
    }
    conns = calloc(MAX_FDS, sizeof *conns);
    if (!conns) die("calloc", ENOMEM);
    setup();
    int listener = listen_on(port);
    on_accept(listener, -ECANCELED, 0); /* arms the multishot accept */
    printf("READY uring_echo echo=%d\n", port);
    fflush(stdout);
    for (;;) {
        submit_pending(1);
        unsigned head = *ring.cq_head;
        unsigned tail = atomic_load_explicit((_Atomic unsigned *)ring.cq_tail, memory_order_acquire);
        for (; head != tail; head++) {
            struct io_uring_cqe *e = &ring.cqes[head & ring.cq_mask];
            uint64_t d = e->user_data;
            int tag = (int)(d & 0xff), fd = (int)((d >> 8) & 0xffffff);
            if (tag == TAG_ACCEPT) on_accept(listener, e->res, e->flags);
            else if (tag == TAG_ACCEPT_RETRY) on_accept(listener, -ECANCELED, 0); /* the pause is over */
            else if (conns[fd].gen != (uint32_t)(d >> 32) || !conns[fd].open) {
                if (e->flags & IORING_CQE_F_BUFFER) give_back(e->flags >> IORING_CQE_BUFFER_SHIFT); /* stale */
            } else if (tag == TAG_RECV) on_recv(fd, e->res, e->flags);
            else on_send(fd, e->res);
        }
        atomic_store_explicit((_Atomic unsigned *)ring.cq_head, head, memory_order_release);
        atomic_store_explicit((_Atomic unsigned short *)&bufring->tail, buf_tail, memory_order_release);
    }
}
