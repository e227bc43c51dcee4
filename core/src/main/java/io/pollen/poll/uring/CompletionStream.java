package io.pollen.poll.uring;

import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.StreamIo;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.Scratch;
import io.pollen.sys.unix.SocketAbi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One TCP stream whose I/O a {@link UringDriver} performs: what arrived through its multishot recv
 * and waits to be read, and what was written and waits to be sent. The socket ({@code FdStream})
 * calls the {@link StreamIo} methods instead of {@code recv}/{@code send}; the driver calls the
 * {@code on...} methods with the stream's completions. Loop thread only.
 *
 * <h2>Receiving</h2>
 * One multishot {@code RECV} into the driver's {@link BufRing} ({@link RecvBuffers}). Each
 * completion hands over one buffer (id and length), kept here in arrival order; {@link #read}
 * copies from the oldest and recycles each buffer as soon as it is consumed. {@code res == 0} is
 * the end of the stream (after the kept bytes), {@code -errno} an error (thrown once by the read
 * that finds nothing kept, then end of stream). {@code -ENOBUFS} (the ring ran dry) ends the recv
 * without losing a byte: the stream waits in the starved list and is re-armed when buffers come
 * back. A stream holding its share of the ring has its recv cancelled until reads catch up. A recv
 * ended for any other reason (no {@code F_MORE}) is re-armed at once.
 *
 * <p>Sending is {@link StreamSend}'s. A stream registered before it connected is connected by
 * the driver ({@link StreamConnect}); one whose own connect is in progress has a one-shot
 * {@code POLL_ADD} wait for it. Either end is reported as epoll would; the recv starts after it.
 */
final class CompletionStream implements StreamIo {
    final UringDriver driver;
    final int fd;
    /** The loop's token: what reports carry. */
    long token;
    /** {@code user_data} of this registration (generation and fd), without the kind bits. */
    final long ud;
    boolean detached;

    // ---- receiving: kept buffers, oldest at head ----
    private int[] bids = new int[8];
    private int[] lens = new int[8];
    private int head;
    private int kept;
    private int headOffset;
    boolean recvArmed;
    private boolean cancelling;
    boolean starved;
    boolean connecting;
    private boolean eof;
    private int recvErrno;
    /** Its {@code IORING_OP_CONNECT}, when the driver connects it. */
    final StreamConnect connect = new StreamConnect(this);

    /** The sending half. */
    final StreamSend send;

    CompletionStream(UringDriver driver, int fd, long token, long ud, boolean connecting) {
        this.driver = driver;
        this.fd = fd;
        this.token = token;
        this.ud = ud;
        this.connecting = connecting;
        this.send = new StreamSend(driver, this);
    }

    // ---- StreamIo (the socket's calls) ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        driver.checkThread();
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        int n = copy(dst, true);
        if (n == 0 && absorbed()) {
            n = copy(dst, true);
        }
        return n > 0 ? n : nothingKept(dst, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        driver.checkThread();
        long n = copyAll(dsts, offset, length);
        if (n == 0 && absorbed()) {
            n = copyAll(dsts, offset, length);
        }
        for (int i = offset; i < offset + length && n == 0; i++) {
            if (dsts[i].hasRemaining()) {
                return nothingKept(dsts[i], 0);
            }
        }
        return n;
    }

    private long copyAll(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length && kept > 0; i++) {
            n += copy(dsts[i], true);
        }
        return n;
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        driver.checkThread();
        int n = copy(dst, false);
        if (n == 0 && absorbed()) {
            n = copy(dst, false);
        }
        return n > 0 ? n : nothingKept(dst, SocketAbi.LINUX.MSG_PEEK);
    }

    /**
     * Nothing is kept and this stream could still receive, but completions wait unreaped (of any
     * stream: the ring cannot tell whose without reaping): the driver absorbs them, without
     * calling a handler ({@link UringDriver#absorb}). Whether some of this stream's bytes are kept now.
     */
    private boolean absorbed() throws IOException {
        if (kept > 0 || eof || recvErrno != 0 || detached || connecting || driver.quiet()) {
            return false;
        }
        driver.absorb();
        return kept > 0;
    }

    /**
     * What a read that found no kept bytes returns: the error once, -1 at the end; otherwise what a
     * plain non-blocking {@code recv} finds. Bytes may sit in the socket with their completion not
     * yet run (it runs in the loop's next {@code io_uring_enter}), and a caller that looks once
     * before calling the connection idle (a draining server, a client checking a pooled connection)
     * must see them, as on epoll. Safe for the order of the bytes: nothing is kept, and no
     * completion waits unreaped in the ring ({@link #absorbed} reaped them; should the ring still
     * not be quiet, this says "would block" and the completion follows); the multishot recv, whose
     * copies run only inside this thread's enter, then takes what comes after. A read that finds
     * nothing costs this one {@code recv}, as on epoll (and the reap, when completions waited).
     */
    private int nothingKept(ByteBuffer dst, int flags) throws IOException {
        if (recvErrno != 0) {
            int e = recvErrno;
            recvErrno = 0;
            eof = true;   // as a socket: the error once, then end of stream
            throw Native.error("recv", e);
        }
        if (eof || detached || connecting || !driver.quiet()) {
            return eof ? -1 : 0;
        }
        Scratch scratch = Scratch.get();
        MemorySegment staging = scratch.staging(dst.remaining());
        long n = Net.recv(fd, staging, Math.min(dst.remaining(), staging.byteSize()), flags);
        if (n == Native.WOULD_BLOCK) {
            return 0;
        }
        if (n == 0) {
            eof = flags == 0;   // a peek leaves the end for the read that consumes it
            return -1;
        }
        dst.put(dst.position(), scratch.stagingBuffer(), 0, (int) n);
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    /** Copies kept bytes into {@code dst}, oldest first; {@code consume} recycles emptied buffers. */
    private int copy(ByteBuffer dst, boolean consume) throws IOException {
        int n = 0;
        int at = head;
        int off = headOffset;
        int left = kept;
        while (left > 0 && dst.hasRemaining()) {
            int bid = bids[at];
            int take = Math.min(lens[at] - off, dst.remaining());
            dst.put(dst.position(), driver.recv().bytes(), driver.recv().offset(bid) + off, take);
            dst.position(dst.position() + take);
            n += take;
            off += take;
            if (off < lens[at]) {
                break;
            }
            off = 0;
            at = (at + 1) & (bids.length - 1);
            left--;
            if (consume) {
                driver.recv().recycle(bid);
            }
        }
        if (consume) {
            head = at;
            headOffset = off;
            kept = left;
            resume();
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        driver.checkThread();
        return send.take(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        driver.checkThread();
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += send.take(srcs[i]);
            if (srcs[i].hasRemaining()) {
                break;
            }
        }
        return n;
    }

    @Override
    public void shutdownOutput() throws IOException {
        driver.checkThread();
        send.shutdownOutput();
    }

    // ---- the driver's side ----

    /** Arms the multishot recv (or, while connecting, a one-shot poll for the connect's end). */
    void arm() throws IOException {
        if (connecting) {
            driver.ring().sqes.pollAdd(fd, EPoll.EPOLLOUT | EPoll.EPOLLIN | EPoll.EPOLLRDHUP, false, ud | UringDriver.CONNECT);
            return;
        }
        driver.ring().sqes.recvMultishot(fd, driver.recv().groupId(), ud | UringDriver.RECV);
        driver.recv().armed++;
        recvArmed = true;
    }

    @Override
    public int takeConnectError() {
        return connect.takeError();
    }

    /**
     * The connect's completion (its {@code IORING_OP_CONNECT}, or the poll of a socket that
     * connected itself): report it as epoll would, then start receiving.
     */
    void onConnect(int res) throws IOException {
        connecting = false;
        if (connect.inFlight()) {
            int ready = connect.ended(res);
            if ((ready & Ready.ERROR) == 0) {
                arm();
            }
            ready(ready);
            return;
        }
        int ready = res < 0 ? Ready.ERROR : io.pollen.poll.epoll.EpollSelector.toReady(res);
        if ((ready & (Ready.ERROR | Ready.WRITE_CLOSED)) == 0) {
            arm();
        }
        ready(ready);
    }

    /**
     * Whether this stream should have a recv armed: open, not at its end, and holding fewer
     * buffers than its share ({@link RecvBuffers#share()}), so that one stream nobody reads
     * cannot take the whole ring from the others: past the share its recv is cancelled, and the
     * bytes wait in the socket (TCP's flow control, as with a readiness backend) until reads
     * bring it back under.
     */
    private boolean wantsRecv() {
        return !detached && !eof && recvErrno == 0 && kept < driver.recv().share();
    }

    /** After reads consumed buffers: a recv paused (share reached) or ended resumes. */
    private void resume() throws IOException {
        if (!recvArmed && !starved && !connecting && wantsRecv()) {
            arm();
        }
    }

    /** A recv completion; a buffer it carries is ours now (the driver counted it out of the ring). */
    void onRecv(int res, int cqeFlags) throws IOException {
        boolean more = (cqeFlags & IoUring.IORING_CQE_F_MORE) != 0;
        if (!more) {
            recvArmed = false;
            cancelling = false;
        }
        int bid = BufRing.bufferId(cqeFlags);
        if (res > 0 && bid >= 0) {
            keep(bid, res);
            if (more && !cancelling && kept >= driver.recv().share()) {
                cancelling = true;   // its share is full: pause until reads catch up
                driver.ring().sqes.cancel(ud | UringDriver.RECV, PollSet.IGNORE);
            } else if (!more && wantsRecv()) {
                driver.recvRearms++;
                arm();   // ended without a reason to stop (e.g. CQ overflow): go on
            }
            ready(Ready.READABLE);
            return;
        }
        if (bid >= 0) {
            driver.recv().recycle(bid);
        }
        if (res == -Errno.ENOBUFS) {
            if (wantsRecv()) {
                driver.recv().starved(this);   // re-armed when buffers come back; the bytes wait in the socket
            }
        } else if (res == 0) {
            eof = true;
            ready(Ready.READABLE | Ready.READ_CLOSED);
        } else if (res < 0 && res != -Errno.ECANCELED) {
            recvErrno = -res;
            ready(Ready.READABLE | Ready.ERROR);
        } else if (!more && wantsRecv()) {
            driver.recvRearms++;
            arm();   // cancelled on its share, and reads caught up meanwhile (or ended for no reason)
        }
    }

    /** Taken off the starved list with buffers back: re-arms if it still wants to receive. */
    boolean unstarve() throws IOException {
        starved = false;
        if (!recvArmed && !connecting && wantsRecv()) {
            arm();
            return true;
        }
        return false;
    }

    private void keep(int bid, int len) {
        if (kept == bids.length) {
            int[] b = new int[kept * 2];
            int[] l = new int[kept * 2];
            for (int i = 0; i < kept; i++) {
                b[i] = bids[(head + i) & (kept - 1)];
                l[i] = lens[(head + i) & (kept - 1)];
            }
            bids = b;
            lens = l;
            head = 0;
        }
        int at = (head + kept) & (bids.length - 1);
        bids[at] = bid;
        lens[at] = len;
        kept++;
    }

    /**
     * Deregistered: what was written goes out (queued now, while the fd is open), the recv is
     * cancelled, kept buffers go back to the ring. Bytes received but not read are dropped.
     */
    void detach() throws IOException {
        send.detach();
        detached = true;
        starved = false;
        if (recvArmed) {
            driver.ring().sqes.cancel(ud | UringDriver.RECV, PollSet.IGNORE);
        }
        if (connect.inFlight()) {
            connect.cancel();   // its sockaddr is freed at the CQE
        } else if (connecting) {
            driver.ring().sqes.pollRemove(ud | UringDriver.CONNECT, PollSet.IGNORE);
        }
        while (kept > 0) {
            driver.recv().recycle(bids[head]);
            head = (head + 1) & (bids.length - 1);
            kept--;
        }
    }

    /** Notes readiness {@code bits}: the driver's run reports them, once per run with the others. */
    void ready(int bits) {
        driver.reports().note(fd, token, bits);
    }

    /** Buffers kept for reads (tests). */
    int kept() {
        return kept;
    }

    @Override
    public String toString() {
        return "CompletionStream{fd=" + fd + ", kept=" + kept + ", unsent=" + send.unsent()
                + (send.sending ? ", sending" : "") + (detached ? ", detached}" : "}");
    }
}
