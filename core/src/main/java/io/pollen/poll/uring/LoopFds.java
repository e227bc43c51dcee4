package io.pollen.poll.uring;

import io.pollen.poll.spi.AcceptIo;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.StreamIo;

import io.pollen.sys.linux.IoUring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The registration side of a {@link UringDriver}, what a loop's Registry hands sources to, by fd: a
 * TCP stream becomes a {@link CompletionStream}, a listener an {@link AcceptQueue}, anything else
 * a multishot poll ({@link PollSet}). All three share the poll set's slot table (indexed by fd), so
 * an fd has one registration and one generation whatever its kind. Registering only queues SQEs;
 * deregistering submits at once, because the fd is closed next and a queued SQE names it by number,
 * and because a cancelled operation drops its reference to the file only when its completion
 * runs. Loop thread only.
 */
final class LoopFds implements FdSelector {
    private final UringDriver driver;
    private final PollSet polls;
    private CompletionStream[] streams = new CompletionStream[64];
    private AcceptQueue[] listeners = new AcceptQueue[64];
    /** Detached streams whose connect's CQE has not come: their sockaddrs are freed then. Rare. */
    private final ArrayList<CompletionStream> orphans = new ArrayList<>();

    LoopFds(UringDriver driver, PollSet polls) {
        this.driver = driver;
        this.polls = polls;
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public void register(int fd, long token, int interest) throws IOException {
        checkFd(fd);
        polls.add(fd, token, interest);
    }

    @Override
    public StreamIo registerStream(int fd, long token, int interest, boolean connecting) throws IOException {
        if (!driver.completions()) {
            register(fd, token, interest);
            return null;
        }
        CompletionStream s = stream(fd, token, interest, connecting, null);
        if (!connecting) {
            s.ready(Ready.WRITABLE);   // epoll reports a connected socket writable at once: so does this driver
        }
        return s;
    }

    @Override
    public StreamIo registerConnect(int fd, long token, int interest, InetSocketAddress remote) throws IOException {
        if (!driver.completions() || !driver.ring().supports(IoUring.IORING_OP_CONNECT)) {
            return null;   // the socket connects itself and registers as a readiness stream
        }
        return stream(fd, token, interest, true, remote);
    }

    /** A new stream in the table, its recv (or connect poll) armed, or its connect to {@code remote} started. */
    private CompletionStream stream(int fd, long token, int interest, boolean connecting, InetSocketAddress remote)
            throws IOException {
        long ud = open(fd, token, interest);
        CompletionStream s = new CompletionStream(driver, fd, token, ud, connecting);
        streams = grown(streams, fd);
        streams[fd] = s;
        try {
            if (remote != null) {
                s.connect.start(remote);
            } else {
                s.arm();
            }
        } catch (IOException | RuntimeException e) {
            streams[fd] = null;
            polls.slots.close(fd);
            throw e;
        }
        return s;
    }

    @Override
    public AcceptIo registerListener(int fd, long token, int interest) throws IOException {
        if (!driver.completions()) {
            register(fd, token, interest);
            return null;
        }
        long ud = open(fd, token, interest);
        AcceptQueue a = new AcceptQueue(driver, fd, token, ud);
        listeners = grown(listeners, fd);
        listeners[fd] = a;
        try {
            a.arm();
        } catch (IOException | RuntimeException e) {
            listeners[fd] = null;
            polls.slots.close(fd);
            throw e;
        }
        return a;
    }

    private long open(int fd, long token, int interest) {
        checkFd(fd);
        if (polls.isLive(fd)) {
            throw FdSelector.alreadyRegistered(fd, null);
        }
        return polls.slots.open(fd, token, interest);
    }

    private static <T> T[] grown(T[] table, int fd) {
        return fd < table.length ? table : Arrays.copyOf(table, Math.max(table.length * 2, fd + 1));
    }

    private static void checkFd(int fd) {
        if (fd >= 1 << 24) {
            throw new IllegalArgumentException("fd " + fd + " is beyond the io_uring driver's 2^24 slots");
        }
    }

    /** The live stream of a completion's fd and user data (kind stripped), or null if stale. */
    CompletionStream stream(int fd, long ud) {
        CompletionStream s = fd >= 0 && fd < streams.length ? streams[fd] : null;
        return s != null && s.ud == ud ? s : null;
    }

    /** The live listener of a completion's fd and user data (kind stripped), or null if stale. */
    AcceptQueue listener(int fd, long ud) {
        AcceptQueue a = fd >= 0 && fd < listeners.length ? listeners[fd] : null;
        return a != null && a.ud == ud ? a : null;
    }

    /** A stream detached with its connect in flight: kept until that connect's CQE. */
    void connectOrphaned(CompletionStream s) {
        orphans.add(s);
    }

    /** A stale connect CQE: the kernel is done with its sockaddr. */
    void connectOrphanEnded(long ud) {
        for (int i = 0; i < orphans.size(); i++) {
            if (orphans.get(i).ud == ud) {
                orphans.remove(i).connect.ended();
                return;
            }
        }
    }

    /** Connects cancelled by a close whose CQE has not come yet (tests: back to 0). */
    int connectsOrphaned() {
        return orphans.size();
    }

    @Override
    public void reregister(int fd, long token, int interest) throws IOException {
        CompletionStream s = fd < streams.length ? streams[fd] : null;
        AcceptQueue a = fd < listeners.length ? listeners[fd] : null;
        if (s == null && a == null) {
            polls.modify(fd, token, interest);
            driver.reports().retoken(fd, token);   // what it noted is reported under its new token
            return;
        }
        polls.registered(fd, "reregister");
        driver.reports().retoken(fd, token);
        if (s != null) {
            s.token = token;   // a stream reports what its bytes say, whatever the interest
        } else {
            a.token = token;
        }
    }

    @Override
    public void deregister(int fd) throws IOException {
        // What is queued goes in first (this fd's own poll or recv may be among it): a cancel
        // submitted in the same batch as its target was seen to leave the file held until a later
        // io_uring_enter, so the socket would outlive its close.
        driver.submitPending();
        CompletionStream s = fd < streams.length ? streams[fd] : null;
        AcceptQueue a = fd < listeners.length ? listeners[fd] : null;
        driver.reports().forget(fd);   // noted and not yet reported: never, now
        if (s == null && a == null) {
            polls.remove(fd);
        } else {
            polls.registered(fd, "deregister");
            polls.slots.close(fd);
            if (s != null) {
                streams[fd] = null;
                s.detach();
            } else {
                listeners[fd] = null;
                a.detach();
            }
        }
        driver.submitNow();
    }

    @Override
    public int select(long[] tokens, int[] flags, long timeoutNanos) {
        throw new UnsupportedOperationException("a loop's io_uring driver is run by its loop, not polled");
    }

    @Override
    public void wakerToken(long token) {
        // the loop's own flag coalesces its wake-ups; no Waker reports through this driver
    }

    @Override
    public void wakeup() {
        driver.wakeup();
    }

    @Override
    public void close() {
        // released by UringDriver.close, which closes the Poll over this
    }
}
