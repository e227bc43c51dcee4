package io.pollen.poll.uring;

import io.pollen.poll.epoll.EpollSelector;
import io.pollen.poll.spi.Ready;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.unix.SockAddr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * The {@code IORING_OP_CONNECT} of one {@link CompletionStream} (a socket registered before it
 * connected, {@code LoopFds#registerConnect}). The sockaddr is native memory the kernel may read
 * until the CQE, so it is freed only then: a stream detached with its connect in flight cancels it
 * ({@code ASYNC_CANCEL}) and is kept by {@link LoopFds} until the (stale, undispatched) CQE comes.
 * The CQE's {@code res}: 0 connected, {@code -errno} failed, kept for {@code takeError} (the kernel
 * consumed {@code SO_ERROR}). Loop thread only.
 */
final class StreamConnect {
    /** What epoll reports for a failed connect: an error, both halves closed. */
    private static final int FAILED = EpollSelector.toReady(EPoll.EPOLLIN | EPoll.EPOLLOUT | EPoll.EPOLLERR
            | EPoll.EPOLLHUP | EPoll.EPOLLRDHUP);

    private final CompletionStream stream;
    /** The sockaddr while the connect is in flight, else null. */
    private Arena addr;
    private int errno;

    StreamConnect(CompletionStream stream) {
        this.stream = stream;
    }

    /** Submits the connect to {@code remote}. */
    void start(InetSocketAddress remote) throws IOException {
        Arena a = Arena.ofConfined();
        try {
            MemorySegment sa = a.allocate(SockAddr.STORAGE_SIZE);
            int len = SockAddr.encode(remote, SockAddr.family(remote), sa);
            stream.driver.ring().sqes.connect(stream.fd, sa.address(), len, stream.ud | UringDriver.CONNECT);
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
        addr = a;
        stream.driver.connects++;
    }

    /** Whether the connect waits for its CQE. */
    boolean inFlight() {
        return addr != null;
    }

    /** The CQE of a live stream's connect: the readiness to report (writable, or failed). */
    int ended(int res) {
        ended();
        if (res < 0) {
            errno = -res;
            return FAILED;
        }
        return Ready.WRITABLE;
    }

    /** The CQE came: the kernel is done with the sockaddr. */
    void ended() {
        Arena a = addr;
        addr = null;
        if (a != null) {
            a.close();
        }
    }

    /** The stream is detached: cancels the connect, whose CQE will free the sockaddr. */
    void cancel() throws IOException {
        stream.driver.ring().sqes.cancel(stream.ud | UringDriver.CONNECT, PollSet.IGNORE);
        stream.driver.fds.connectOrphaned(stream);
    }

    /** The failed connect's errno, once; 0 if none. */
    int takeError() {
        int e = errno;
        errno = 0;
        return e;
    }
}
