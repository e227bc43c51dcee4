package io.pollen.poll.uring;

import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.StreamIo;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.linux.IoUring;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Linux;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One TCP stream whose I/O a {@link UringDriver} performs: what arrived through its multishot recv
 * and waits to be read, and what was written and waits to be sent. The socket ({@code FdStream})
 * calls the {@link StreamIo} methods instead of {@code recv}/{@code send}; the driver calls the
 * {@code on...} methods with the stream's completions. Loop thread only.
 *
 * <h2>Receiving</h2>
 * One multishot {@code RECV} into the driver's {@link BufRing}. Each completion hands over one
 * buffer (id and length), kept here in arrival order; {@link #read} copies from the oldest and
 * recycles each buffer as soon as it is consumed. {@code res == 0} is the end of the stream (after
 * the kept bytes), {@code -errno} an error (thrown once by the read that finds nothing kept, then
 * end of stream). {@code -ENOBUFS} (the ring ran dry) ends the recv without losing a byte: the
 * stream waits in the driver's starved list and is re-armed when buffers come back. A recv ended
 * for any other reason (no {@code F_MORE}) is re-armed at once.
 *
 * <h2>Sending</h2>
 * {@link #write} copies into the stream's native buffer ({@link SendBuffers}) and returns 0 when it
 * is full. One {@code SEND} is in flight at a time, of {@code [sent, end)}; bytes written meanwhile
 * are appended after {@code end}, never inside what the kernel reads. Sends are queued by the
 * driver just before its next {@code io_uring_enter}, so every write of a loop iteration goes in one
 * send. A short send resubmits the rest; when room comes back after a write fell short, the stream
 * reports {@link Ready#WRITABLE}. A send error is thrown by the next write. A shutdown of the write
 * half waits until every byte taken was sent.
 */
final class CompletionStream implements StreamIo {
    private final UringDriver driver;
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

    // ---- sending ----
    private int slot = -1;
    private ByteBuffer buf;
    private int sent;
    private int end;
    boolean sending;
    private int sendingLen;
    boolean dirty;
    private boolean wantWritable;
    private boolean shutdownPending;
    private int sendErrno;

    CompletionStream(UringDriver driver, int fd, long token, long ud, boolean connecting) {
        this.driver = driver;
        this.fd = fd;
        this.token = token;
        this.ud = ud;
        this.connecting = connecting;
    }

    // ---- StreamIo (the socket's calls) ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        driver.checkThread();
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        int n = copy(dst, true);
        return n > 0 ? n : nothingKept();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        driver.checkThread();
        long n = 0;
        for (int i = offset; i < offset + length && kept > 0; i++) {
            n += copy(dsts[i], true);
        }
        return n > 0 ? n : nothingKept();
    }

    @Override
    public int peek(ByteBuffer dst) throws IOException {
        driver.checkThread();
        int n = copy(dst, false);
        return n > 0 ? n : nothingKept();
    }

    /** What a read that found no kept bytes returns: 0 (would block), -1 (end), or the error. */
    private int nothingKept() throws IOException {
        if (recvErrno != 0) {
            int e = recvErrno;
            recvErrno = 0;
            eof = true;   // as a socket: the error once, then end of stream
            throw Native.error("recv", e);
        }
        return eof ? -1 : 0;
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
            dst.put(dst.position(), driver.bufferBytes(), driver.bufferOffset(bid) + off, take);
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
                driver.recycle(bid);
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
        int n = take(src);
        if (src.hasRemaining()) {
            wantWritable = true;
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        driver.checkThread();
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += take(srcs[i]);
            if (srcs[i].hasRemaining()) {
                wantWritable = true;
                break;
            }
        }
        return n;
    }

    private int take(ByteBuffer src) throws IOException {
        if (sendErrno != 0) {
            throw Native.error("send", sendErrno);
        }
        if (shutdownPending) {
            throw Native.error("send", Errno.EPIPE);   // what send(2) says after SHUT_WR
        }
        int want = src.remaining();
        if (want == 0) {
            return 0;
        }
        if (slot < 0) {
            slot = driver.sends().take(this);
            buf = driver.sends().view(slot);
            sent = 0;
            end = 0;
        }
        int n = Math.min(want, buf.capacity() - end);
        if (n == 0) {
            return 0;
        }
        buf.put(end, src, src.position(), n);
        src.position(src.position() + n);
        end += n;
        if (!sending && !dirty) {
            dirty = true;
            driver.dirty(this);
        }
        return n;
    }

    @Override
    public void shutdownOutput() throws IOException {
        driver.checkThread();
        if (end > sent || sending) {
            shutdownPending = true;
        } else {
            Net.shutdown(fd, Linux.SHUT_WR);
        }
    }

    // ---- the driver's side ----

    /** Queues the send of what waits (the driver calls this just before entering the kernel). */
    void flush() throws IOException {
        dirty = false;
        if (detached && slot < 0 || sending || end <= sent) {
            return;
        }
        driver.ring().sqes.send(fd, driver.sends().segment(slot).address() + sent, end - sent,
                driver.sends().userData(slot) | UringDriver.SEND);
        driver.sends().sent();
        sending = true;
        sendingLen = end - sent;
    }

    /** Arms the multishot recv (or, while connecting, a one-shot poll for the connect's end). */
    void arm() throws IOException {
        if (connecting) {
            driver.ring().sqes.pollAdd(fd, EPoll.EPOLLOUT | EPoll.EPOLLIN | EPoll.EPOLLRDHUP, false, ud | UringDriver.CONNECT);
            return;
        }
        driver.ring().sqes.recvMultishot(fd, driver.groupId(), ud | UringDriver.RECV);
        driver.recvArmed(1);
        recvArmed = true;
    }

    /** The connect poll's completion: report it as epoll would, then start receiving. */
    void onConnect(int res) throws IOException {
        connecting = false;
        int ready = res < 0 ? Ready.ERROR : io.pollen.poll.epoll.EpollSelector.toReady(res);
        if ((ready & (Ready.ERROR | Ready.WRITE_CLOSED)) == 0) {
            arm();
        }
        driver.report(token, ready);
    }

    /**
     * Whether this stream should have a recv armed: open, not at its end, and holding fewer
     * buffers than its share ({@link UringDriver#keptLimit()}), so that one stream nobody reads
     * cannot take the whole ring from the others: past the share its recv is cancelled, and the
     * bytes wait in the socket (TCP's flow control, as with a readiness backend) until reads
     * bring it back under.
     */
    private boolean wantsRecv() {
        return !detached && !eof && recvErrno == 0 && kept < driver.keptLimit();
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
            if (more && !cancelling && kept >= driver.keptLimit()) {
                cancelling = true;   // its share is full: pause until reads catch up
                driver.ring().sqes.cancel(ud | UringDriver.RECV, PollSet.IGNORE);
            } else if (!more && wantsRecv()) {
                driver.recvRearms++;
                arm();   // ended without a reason to stop (e.g. CQ overflow): go on
            }
            driver.report(token, Ready.READABLE);
            return;
        }
        if (bid >= 0) {
            driver.recycle(bid);
        }
        if (res == -Errno.ENOBUFS) {
            if (wantsRecv()) {
                driver.starved(this);   // re-armed when buffers come back; the bytes wait in the socket
            }
        } else if (res == 0) {
            eof = true;
            driver.report(token, Ready.READABLE | Ready.READ_CLOSED);
        } else if (res < 0 && res != -Errno.ECANCELED) {
            recvErrno = -res;
            driver.report(token, Ready.READABLE | Ready.ERROR);
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

    /** A send completion: advance, resubmit the rest, report room, or finish a deferred shutdown. */
    void onSend(int res) throws IOException {
        sending = false;
        driver.sends().completed();
        if (detached) {
            releaseSend();   // what a short send left is dropped: the fd may be closed by now
            return;
        }
        if (res < 0) {
            sendErrno = -res;
            sent = end;
        } else {
            sent += res;
            if (res < sendingLen) {
                driver.shortSends++;
            }
        }
        if (sent < end) {
            if (sent > buf.capacity() / 2) {   // nothing in flight now: move the rest to the front
                buf.put(0, buf, sent, end - sent);
                end -= sent;
                sent = 0;
            }
            if (!dirty) {
                dirty = true;
                driver.dirty(this);
            }
        } else {
            releaseSend();
            if (shutdownPending) {
                shutdownPending = false;
                Net.shutdown(fd, Linux.SHUT_WR);
            }
        }
        if (wantWritable && (slot < 0 || end < buf.capacity())) {
            wantWritable = false;
            driver.report(token, res < 0 ? Ready.WRITABLE | Ready.ERROR : Ready.WRITABLE);
        }
    }

    private void releaseSend() {
        if (slot >= 0 && !sending) {
            driver.sends().release(slot);
            slot = -1;
            buf = null;
            sent = 0;
            end = 0;
        }
    }

    /**
     * Deregistered: what was written goes out (queued now, while the fd is open), the recv is
     * cancelled, kept buffers go back to the ring. Bytes received but not read are dropped.
     */
    void detach() throws IOException {
        if (dirty || !sending && end > sent) {
            flush();
        }
        detached = true;
        starved = false;
        if (recvArmed) {
            driver.ring().sqes.cancel(ud | UringDriver.RECV, PollSet.IGNORE);
        }
        if (connecting) {
            driver.ring().sqes.pollRemove(ud | UringDriver.CONNECT, PollSet.IGNORE);
        }
        while (kept > 0) {
            driver.recycle(bids[head]);
            head = (head + 1) & (bids.length - 1);
            kept--;
        }
        releaseSend();
    }

    /** Buffers kept for reads (tests). */
    int kept() {
        return kept;
    }

    @Override
    public String toString() {
        return "CompletionStream{fd=" + fd + ", kept=" + kept + ", unsent=" + (end - sent)
                + (sending ? ", sending" : "") + (detached ? ", detached}" : "}");
    }
}
