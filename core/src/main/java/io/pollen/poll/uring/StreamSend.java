package io.pollen.poll.uring;

import io.pollen.poll.spi.Ready;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Net;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The sending half of a {@link CompletionStream}. Writes copy into the stream's native buffer (a
 * {@link SendBuffers} slot, taken at the first write and given back once drained) and return 0 when
 * it is full. One {@code SEND} is in flight at a time, of {@code [sent, end)}; bytes written
 * meanwhile go after {@code end}, never inside what the kernel reads, and the buffer is compacted
 * only while no send is in flight. Sends are queued by the driver just before its next
 * {@code io_uring_enter} ({@link #flush}), so every write of a loop iteration goes in one send. A
 * short send queues the rest; when room comes back after a write fell short, the stream reports
 * {@link Ready#WRITABLE}. A send error is thrown by every later write. A shutdown of the write half
 * waits until every byte taken was sent. Loop thread only.
 */
final class StreamSend {
    private final UringDriver driver;
    private final CompletionStream stream;
    private int slot = -1;
    private ByteBuffer buf;
    private int sent;
    private int end;
    private int sendingLen;
    boolean sending;
    boolean dirty;
    private boolean wantWritable;
    private boolean shutdownPending;
    private int sendErrno;

    StreamSend(UringDriver driver, CompletionStream stream) {
        this.driver = driver;
        this.stream = stream;
    }

    /** Takes what fits of {@code src}; remembers to report room when some did not fit. */
    int take(ByteBuffer src) throws IOException {
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
            slot = driver.sends().take(stream);
            buf = driver.sends().view(slot);
            sent = 0;
            end = 0;
        }
        int n = Math.min(want, buf.capacity() - end);
        if (n < want) {
            wantWritable = true;
        }
        if (n == 0) {
            return 0;
        }
        buf.put(end, src, src.position(), n);
        src.position(src.position() + n);
        end += n;
        markDirty();
        return n;
    }

    private void markDirty() {
        if (!sending && !dirty) {
            dirty = true;
            driver.dirty(stream);
        }
    }

    /** Shuts the write half down now, or after the bytes taken are sent. */
    void shutdownOutput() throws IOException {
        if (end > sent || sending) {
            shutdownPending = true;
        } else {
            Net.shutdown(stream.fd, SocketAbi.LINUX.SHUT_WR);
        }
    }

    /** Queues the send of what waits (the driver calls this just before entering the kernel). */
    void flush() throws IOException {
        dirty = false;
        if (sending || end <= sent) {
            return;
        }
        driver.ring().sqes.send(stream.fd, driver.sends().segment(slot).address() + sent, end - sent,
                driver.sends().userData(slot) | UringDriver.SEND);
        driver.sends().sent();
        sending = true;
        sendingLen = end - sent;
    }

    /** A send completion: advance, queue the rest, report room, or finish a deferred shutdown. */
    void onSend(int res) throws IOException {
        sending = false;
        driver.sends().completed();
        if (stream.detached) {
            release();   // what a short send left is dropped: the fd may be closed by now
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
            markDirty();
        } else {
            release();
            if (shutdownPending) {
                shutdownPending = false;
                if (sendErrno == 0) {   // after a failed send there is no write half left to end
                    shutdownAfterSends();
                }
            }
        }
        if (wantWritable && (slot < 0 || end < buf.capacity())) {
            wantWritable = false;
            stream.ready(res < 0 ? Ready.WRITABLE | Ready.ERROR : Ready.WRITABLE);
        }
    }

    /**
     * The shutdown that waited for the last send. It has no caller to throw to (it runs in the
     * driver's reaping), so nothing may escape: a peer that reset the connection meanwhile leaves
     * no write half to end ({@code ENOTCONN}, what was asked has happened); any other failure is
     * kept and thrown by the next write, as a send's is.
     */
    private void shutdownAfterSends() {
        try {
            Net.shutdown(stream.fd, SocketAbi.LINUX.SHUT_WR);
        } catch (NativeIOException e) {
            if (e.errno() != Errno.ENOTCONN) {
                sendErrno = e.errno();
            }
        } catch (IOException e) {
            sendErrno = Errno.EIO;
        }
    }

    /** Deregistered: queues what waits now, while the fd is still open; gives the buffer back if idle. */
    void detach() throws IOException {
        if (dirty || !sending && end > sent) {
            flush();
        }
        release();
    }

    /** Gives the buffer back unless a send of it is in flight (then its completion does). */
    private void release() {
        if (slot >= 0 && !sending) {
            driver.sends().release(slot);
            slot = -1;
            buf = null;
            sent = 0;
            end = 0;
        }
    }

    /** Bytes taken and not yet seen sent. */
    int unsent() {
        return end - sent;
    }
}
