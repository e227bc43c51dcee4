package io.pollen.poll.uring;

import io.pollen.poll.spi.AcceptIo;
import io.pollen.poll.spi.Ready;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.NativeIOException;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.FdOpen;
import io.pollen.sys.unix.Native;
import io.pollen.sys.unix.Unistd;

import java.io.IOException;

/**
 * A listening socket whose accepts a {@link UringDriver} performs: one multishot {@code ACCEPT}
 * whose completions queue the new fds (non-blocking, close-on-exec), handed out by {@link #accept}.
 *
 * <p>A failed accept ends the multishot: its error ({@code EMFILE}, {@code ENFILE}...) is thrown by
 * the next {@link #accept}, once; while it is not armed, {@link #accept} calls {@code accept4}
 * itself, as the readiness backends do. After a failure the listener stays in that readiness mode
 * (a one-shot {@code POLL_ADD} tells of the next arrival) until an {@code accept4} succeeded, and
 * only then arms the multishot again when the backlog is empty: the kernel's accept takes a
 * descriptor before it looks for a connection, so a multishot armed while the process is out of
 * descriptors fails at once, arrival or not (re-arming it there spun the loop). So an owner's
 * back-off on descriptor exhaustion (closing a reserve fd, accepting and shedding one connection,
 * retrying later) behaves as on epoll, and an exhausted, idle server stays idle. Fds queued but not taken when the
 * listener is deregistered are closed, and so is the fd of an accept completion that arrives for a
 * registration already gone. Loop thread only.
 */
final class AcceptQueue implements AcceptIo {
    private final UringDriver driver;
    final int fd;
    long token;
    final long ud;
    boolean detached;
    private boolean armed;
    /** A one-shot poll for the next arrival is armed (readiness mode). */
    private boolean polling;
    /** An accept failed and no accept4 has succeeded since: readiness mode. */
    private boolean failing;
    private int[] fds = new int[16];
    private int head;
    private int count;
    private int errno;

    AcceptQueue(UringDriver driver, int fd, long token, long ud) {
        this.driver = driver;
        this.fd = fd;
        this.token = token;
        this.ud = ud;
    }

    void arm() throws IOException {
        driver.ring().sqes.acceptMultishot(fd, ud | UringDriver.ACCEPT);
        armed = true;
    }

    @Override
    public int accept() throws IOException {
        driver.checkThread();
        if (count > 0) {
            int c = fds[head];
            head = (head + 1) & (fds.length - 1);
            count--;
            return c;
        }
        if (errno != 0) {
            int e = errno;
            errno = 0;
            throw Native.error("accept", e);
        }
        if (armed) {
            return -1;
        }
        for (;;) {
            int c;
            try {
                c = FdOpen.accept(fd);
            } catch (NativeIOException e) {
                if (e.errno() == Errno.ECONNABORTED) {
                    continue;   // reset before it was accepted: take the next
                }
                failing = true;
                throw e;
            }
            if (c != Native.WOULD_BLOCK) {
                failing = false;
                return c;
            }
            if (!failing) {
                arm();   // the backlog is empty and descriptors were there: completions again
            } else if (!polling) {
                driver.ring().sqes.pollAdd(fd, EPoll.EPOLLIN, false, ud | UringDriver.ACCEPT_POLL);
                polling = true;
            }
            return -1;
        }
    }

    /** An accept completion: queue the fd, or keep the error; report the listener readable. */
    void onAccept(int res, boolean more) {
        if (!more) {
            armed = false;
        }
        if (res >= 0) {
            if (count == fds.length) {
                int[] grown = new int[count * 2];
                for (int i = 0; i < count; i++) {
                    grown[i] = fds[(head + i) & (count - 1)];
                }
                fds = grown;
                head = 0;
            }
            fds[(head + count++) & (fds.length - 1)] = res;
        } else if (res == -Errno.ECANCELED || res == -Errno.ECONNABORTED) {
            return;
        } else {
            errno = -res;
            failing = true;
        }
        driver.reports().note(fd, token, res < 0 ? Ready.READABLE | Ready.ERROR : Ready.READABLE);
    }

    /** The readiness-mode poll's completion: a connection arrived (or the listener failed). */
    void onPoll(int res) {
        polling = false;
        driver.reports().note(fd, token, res < 0 ? Ready.READABLE | Ready.ERROR : Ready.READABLE);
    }

    /** Deregistered: the multishot is cancelled, connections nobody took are closed. */
    void detach() throws IOException {
        detached = true;
        if (armed) {
            driver.ring().sqes.cancel(ud | UringDriver.ACCEPT, PollSet.IGNORE);
        }
        if (polling) {
            driver.ring().sqes.pollRemove(ud | UringDriver.ACCEPT_POLL, PollSet.IGNORE);
        }
        while (count > 0) {
            closeQuietly(fds[head]);
            head = (head + 1) & (fds.length - 1);
            count--;
        }
    }

    /** Closes the fd of a connection nobody will take. */
    static void closeQuietly(int fd) {
        try {
            Unistd.close(fd);
        } catch (IOException e) {
            // released either way
        }
    }
}
