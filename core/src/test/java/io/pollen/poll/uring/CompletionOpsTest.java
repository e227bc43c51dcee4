package io.pollen.poll.uring;

import io.pollen.sys.linux.IoUring;
import io.pollen.sys.unix.SocketAbi;
import io.pollen.sys.unix.Errno;
import io.pollen.sys.unix.Net;
import io.pollen.sys.unix.SockAddr;
import io.pollen.sys.unix.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completion-mode operations on the ring, the kernel doing the I/O: multishot accept, connect,
 * send (and a short send), multishot recv into a provided-buffer ring (and its exhaustion under a
 * flood: re-armed, nothing lost), close.
 */
class CompletionOpsTest extends UringTestCase {
    static final long ACCEPT = 1, CONNECT = 2, SEND = 3, RECV = 4, CLOSE = 5;

    Ring ring;
    Arena arena;
    int listener = -1;
    int client = -1;
    int server = -1;

    record Cqe(long userData, int res, int flags) {
    }

    @BeforeEach
    void connect() throws IOException {
        arena = Arena.ofConfined();
        ring = Ring.open(64, 512, IoUring.IORING_SETUP_SUBMIT_ALL);
        int type = SocketAbi.LINUX.SOCK_STREAM | SocketAbi.LINUX.SOCK_NONBLOCK | SocketAbi.LINUX.SOCK_CLOEXEC;
        listener = Net.socket(SocketAbi.LINUX.AF_INET, type, 0);
        Net.bind(listener, SocketAbi.LINUX.AF_INET, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Net.listen(listener, 16);
        InetSocketAddress at = Net.getsockname(listener);
        ring.sqes.acceptMultishot(listener, ACCEPT);
        client = Net.socket(SocketAbi.LINUX.AF_INET, type, 0);
        MemorySegment sa = arena.allocate(SockAddr.STORAGE_SIZE, 8);   // the kernel's until the CQE
        int len = SockAddr.encode(at, SocketAbi.LINUX.AF_INET, sa);
        ring.sqes.connect(client, sa.address(), len, CONNECT);
        List<Cqe> got = waitFor(2);
        assertTrue(got.contains(new Cqe(CONNECT, 0, 0)), got.toString());
        Cqe accepted = got.stream().filter(c -> c.userData() == ACCEPT).findFirst().orElseThrow();
        assertTrue(accepted.res() >= 0, "accepted fd: " + got);
        assertEquals(IoUring.IORING_CQE_F_MORE, accepted.flags() & IoUring.IORING_CQE_F_MORE, "accept stays armed");
        server = accepted.res();
    }

    @AfterEach
    void close() throws IOException {
        if (ring != null) {
            ring.close();
        }
        for (int fd : new int[] {client, server, listener}) {
            if (fd >= 0) {
                Unistd.close(fd);
            }
        }
        if (arena != null) {
            arena.close();
        }
    }

    private List<Cqe> waitFor(int n) throws IOException {
        List<Cqe> got = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.size() < n && System.nanoTime() < deadline) {
            ring.submitAndWait(1, 1_000_000_000L);
            ring.reap((ud, res, fl) -> got.add(new Cqe(ud, res, fl)), 64);
        }
        return got;
    }

    @Test
    void sendRecvIntoProvidedBuffersAndCloseInTheKernel() throws IOException {
        try (BufRing buffers = BufRing.register(ring, 7, 8, 64)) {
            ring.sqes.recvMultishot(server, buffers.groupId(), RECV);
            MemorySegment hello = arena.allocateFrom("hello", java.nio.charset.StandardCharsets.US_ASCII);
            ring.sqes.send(client, hello.address(), 5, SEND);
            List<Cqe> got = waitFor(2);
            assertTrue(got.contains(new Cqe(SEND, 5, 0)), got.toString());
            Cqe recv = got.stream().filter(c -> c.userData() == RECV).findFirst().orElseThrow();
            assertEquals(5, recv.res());
            int bid = BufRing.bufferId(recv.flags());
            assertTrue(bid >= 0 && bid < 8, "a provided buffer: " + recv);
            assertArrayEquals("hello".getBytes(), buffers.buffer(bid, 5).toArray(ValueLayout.JAVA_BYTE));
            buffers.recycle(bid);
            ring.sqes.close(client, CLOSE);
            got = waitFor(2);
            assertTrue(got.contains(new Cqe(CLOSE, 0, 0)), got.toString());
            client = -1;
            assertTrue(got.stream().anyMatch(c -> c.userData() == RECV && c.res() == 0
                    && (c.flags() & IoUring.IORING_CQE_F_MORE) == 0), "end of stream ends the multishot recv: " + got);
            ring.sqes.cancel(ACCEPT, 9);
            waitFor(2);
        }
    }

    @Test
    void aFloodThatEmptiesTheBufferRingIsReArmedAndLosesNothing() throws IOException {
        byte[] sent = new byte[64 * 40];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + 7);
        }
        MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_BYTE, sent);
        assertEquals(sent.length, Net.send(client, src, sent.length, SocketAbi.LINUX.MSG_NOSIGNAL), "fits the socket buffers");
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int rearms = 0;
        try (BufRing buffers = BufRing.register(ring, 3, 4, 64)) {   // 4 buffers of 64 bytes for 2560 bytes
            ring.sqes.recvMultishot(server, buffers.groupId(), RECV);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (received.size() < sent.length && System.nanoTime() < deadline) {
                for (Cqe c : waitFor(1)) {
                    if (c.res() > 0) {
                        int bid = BufRing.bufferId(c.flags());
                        received.writeBytes(buffers.buffer(bid, c.res()).toArray(ValueLayout.JAVA_BYTE));
                        buffers.recycle(bid);
                    } else {
                        assertEquals(-Errno.ENOBUFS, c.res(), "only running out of buffers ends it: " + c);
                    }
                    if ((c.flags() & IoUring.IORING_CQE_F_MORE) == 0) {
                        ring.sqes.recvMultishot(server, buffers.groupId(), RECV);   // re-arm, not fail
                        rearms++;
                    }
                }
            }
            ring.sqes.cancelFd(server, 9);
            waitFor(1);
        }
        assertArrayEquals(sent, received.toByteArray(), "every byte, in order");
        assertTrue(rearms >= 1, "4 buffers for 40 buffers' worth: the recv ran dry and was re-armed");
    }

    @Test
    void aSendLargerThanTheSocketTakesIsShort() throws IOException {
        Net.setInt(client, SocketAbi.LINUX.SOL_SOCKET, SocketAbi.LINUX.SO_SNDBUF, 16 * 1024);
        Net.setInt(server, SocketAbi.LINUX.SOL_SOCKET, SocketAbi.LINUX.SO_RCVBUF, 16 * 1024);
        int len = 8 * 1024 * 1024;
        MemorySegment big = arena.allocate(len);
        ring.sqes.send(client, big.address(), len, SEND);
        List<Cqe> got = waitFor(1);
        assertEquals(1, got.size());
        int res = got.getFirst().res();
        assertTrue(res > 0 && res < len, "a short send, the rest is the caller's to send again: " + res);
        ring.sqes.cancel(ACCEPT, 9);
        waitFor(1);
    }
}
