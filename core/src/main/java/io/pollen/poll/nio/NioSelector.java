package io.pollen.poll.nio;

import io.pollen.poll.spi.Ready;
import io.pollen.poll.spi.Selector;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The portable backend: a {@link java.nio.channels.Selector} driven to keep the SPI contract.
 *
 * <h2>How the contract is met on a level-triggered selector</h2>
 * <ul>
 *   <li><b>Edge triggering is emulated.</b> Each registration keeps an <i>armed</i> set (a subset
 *       of its interest). Reporting a readiness disarms it (its op leaves the key's
 *       {@code interestOps}), so a source registered READABLE|WRITABLE never busy-spins; the owner
 *       re-arms it with {@link #rearm} after "would block". A readiness that could not be reported
 *       because the events array was full stays armed, so the next select reports it.</li>
 *   <li><b>Readiness mapping.</b> {@code OP_READ}/{@code OP_ACCEPT} become READABLE,
 *       {@code OP_WRITE}/{@code OP_CONNECT} become WRITABLE. java.nio cannot report error,
 *       read-closed, write-closed or priority: an error or hang-up shows as every armed readiness,
 *       and the I/O that follows tells the truth. PRIORITY interest is accepted and never fires.</li>
 *   <li><b>Connects are finished here,</b> as the kernel finishes them under epoll. While a
 *       {@link SocketChannel} connect is pending only {@code OP_CONNECT} can be watched; when it
 *       fires, this class calls {@code finishConnect} itself. Success is reported as WRITABLE if
 *       armed (a readable-only registration hears nothing, as on epoll) and the armed readiness
 *       is watched from then on, with no call needed from the owner. Failure is reported as
 *       ERROR, READ_CLOSED and WRITE_CLOSED plus the registered READABLE/WRITABLE (epoll's
 *       {@code EPOLLERR|EPOLLHUP}); the JDK closes the channel, and the exception is kept for
 *       {@link #takeConnectError}. An owner that finished the connect first re-arms, which
 *       re-points the ops.</li>
 *   <li><b>Deregistration is "soft".</b> java.nio cannot register a channel again until a select has
 *       flushed its cancelled key, so deregister clears the key's ops and marks the registration
 *       dead instead of cancelling; register revives it. Consequences: the token is never reported
 *       after deregister returns (checked under the registration's lock), the channel stays
 *       attached to the JDK selector until it is closed or the Poll closes (so it cannot be put
 *       back into blocking mode meanwhile), and closing the channel is what finally frees it.</li>
 *   <li><b>Changes from other threads.</b> JDK 11+ applies {@code interestOps} changes at the
 *       start of the next select, not to one already blocked; so when a change adds ops while a
 *       select is running, this class wakes the selector. Such internal wake-ups are not reported:
 *       the select goes back to waiting for what is left of its timeout.</li>
 *   <li><b>Timeouts</b> are rounded up to whole milliseconds ({@code select(0)} would mean
 *       forever). An interrupted polling thread returns at once with no events and keeps its
 *       interrupt status, like EINTR.</li>
 * </ul>
 * Raw file descriptors ({@code SourceFd}) are refused with {@link IllegalArgumentException}.
 */
public final class NioSelector implements Selector {
    private static final int R = Ready.INTEREST_READABLE;
    private static final int W = Ready.INTEREST_WRITABLE;

    private final java.nio.channels.Selector selector;
    /** Serialises register/reregister/deregister so that two racing registers cannot both win. */
    private final Object registrationLock = new Object();
    /** Set while the polling thread is inside the JDK selector; others wake it to apply changes. */
    private volatile boolean selecting;
    /** A wake-up asked through the SPI (Waker, Poll.close), as opposed to an internal one. */
    private volatile boolean wakeRequested;
    private volatile long wakerToken = -1;

    // Output of the select in progress; only the polling thread touches these.
    private long[] outTokens;
    private int[] outFlags;
    private int count;
    private final Consumer<SelectionKey> onReady = this::ready;
    /**
     * Connects that failed in {@link #finishConnect}, until the owner takes the error. Touched only
     * when a connect fails (the JDK has closed the channel by then, so it cannot carry the error).
     */
    private final ConcurrentHashMap<SelectableChannel, IOException> connectErrors = new ConcurrentHashMap<>();

    private NioSelector(java.nio.channels.Selector selector) {
        this.selector = selector;
    }

    /** Opens the platform's default java.nio selector. */
    public static Selector open() throws IOException {
        return new NioSelector(java.nio.channels.Selector.open());
    }

    @Override
    public String name() {
        return "nio";
    }

    // ---- raw fds: not for this backend ----

    @Override
    public void register(int fd, long token, int interest) {
        throw rawFd(fd);
    }

    @Override
    public void reregister(int fd, long token, int interest) {
        throw rawFd(fd);
    }

    @Override
    public void deregister(int fd) {
        throw rawFd(fd);
    }

    private static IllegalArgumentException rawFd(int fd) {
        return new IllegalArgumentException("raw fds need a native backend (epoll/kqueue): fd " + fd
                + " cannot be watched by the nio backend; register a SourceChannel (or a socket opened for nio)");
    }

    // ---- channels ----

    @Override
    public void register(SelectableChannel channel, long token, int interest) throws IOException {
        synchronized (registrationLock) {
            SelectionKey key = channel.keyFor(selector);
            if (key != null && key.isValid()) {
                Registration reg = (Registration) key.attachment();
                synchronized (reg) {
                    if (reg.live) {
                        throw new IllegalStateException("channel is already registered with this Poll"
                                + " (token " + reg.token + "); use reregister to change token or interest");
                    }
                    reg.reset(token, interest);
                    apply(reg);
                }
                return;
            }
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            Registration reg = new Registration(channel, token, interest);
            synchronized (reg) {
                reg.key = channel.register(selector, 0, reg);
                apply(reg);
            }
        }
    }

    @Override
    public void reregister(SelectableChannel channel, long token, int interest) throws IOException {
        synchronized (registrationLock) {
            Registration reg = liveRegistration(channel, "reregister");
            synchronized (reg) {
                reg.reset(token, interest);
                apply(reg);
            }
        }
    }

    @Override
    public void deregister(SelectableChannel channel) throws IOException {
        synchronized (registrationLock) {
            if (!channel.isOpen()) {
                // Closing a channel cancels its key: it is already deregistered and can never fire.
                return;
            }
            Registration reg = liveRegistration(channel, "deregister");
            synchronized (reg) {
                reg.live = false;
                reg.armed = 0;
                setOps(reg, 0);
            }
        }
    }

    @Override
    public void rearm(SelectableChannel channel, int interest) {
        SelectionKey key = channel.keyFor(selector);
        if (key == null || !key.isValid()) {
            return;
        }
        Registration reg = (Registration) key.attachment();
        try {
            synchronized (reg) {
                if (reg.live) {
                    reg.armed |= interest & reg.interest;
                    apply(reg);
                }
            }
        } catch (CancelledKeyException | ClosedSelectorException closedMeanwhile) {
            // The channel or the Poll closed under us: nothing left to watch.
        }
    }

    private Registration liveRegistration(SelectableChannel channel, String what) throws IOException {
        SelectionKey key = channel.keyFor(selector);
        Registration reg = key == null || !key.isValid() ? null : (Registration) key.attachment();
        if (reg == null || !reg.live) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            throw new IllegalStateException(what + ": channel is not registered with this Poll");
        }
        return reg;
    }

    /** Points the key's ops at what is armed; caller holds the registration's lock. */
    private void apply(Registration reg) {
        setOps(reg, reg.opsFor());
    }

    private void setOps(Registration reg, int ops) {
        int old = reg.key.interestOps();
        if (old != ops) {
            reg.key.interestOps(ops);
            // A select blocked right now would not see added ops until it returns (JDK 11+ queues them).
            if ((ops & ~old) != 0 && selecting) {
                selector.wakeup();
            }
        }
    }

    // ---- selecting ----

    @Override
    public int select(long[] tokens, int[] flags, long timeoutNanos) throws IOException {
        outTokens = tokens;
        outFlags = flags;
        count = 0;
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        long remaining = timeoutNanos;
        selecting = true;
        try {
            for (;;) {
                if (remaining == 0 || wakeRequested) {
                    selector.selectNow(onReady);
                } else if (remaining < 0) {
                    selector.select(onReady);
                } else {
                    selector.select(onReady, Math.ceilDiv(remaining, 1_000_000L));
                }
                if (count > 0 || wakeRequested || remaining == 0 || Thread.currentThread().isInterrupted()) {
                    break;
                }
                // An internal wake-up (a registration change) or an early return: wait out the rest.
                if (remaining > 0 && (remaining = deadline - System.nanoTime()) <= 0) {
                    break;
                }
            }
        } finally {
            selecting = false;
            outTokens = null;
            outFlags = null;
        }
        if (wakeRequested && count < tokens.length) {
            // With a full array the flag stays set, and the next select reports the wake-up.
            wakeRequested = false;
            long waker = wakerToken;
            if (waker >= 0) {
                tokens[count] = waker;
                flags[count] = Ready.READABLE;
                count++;
            }
        }
        return count;
    }

    /** Called by the JDK selector, on the polling thread, once per ready key. */
    private void ready(SelectionKey key) {
        if (count == outTokens.length) {
            return; // still armed: level triggering brings it back next select
        }
        Registration reg = (Registration) key.attachment();
        int readyOps;
        try {
            readyOps = key.readyOps();
        } catch (CancelledKeyException closed) {
            return;
        }
        synchronized (reg) {
            if (!reg.live || !key.isValid()) {
                return;
            }
            int bits = 0;
            if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
                int outcome = finishConnect(reg);
                if (outcome != 0) {
                    if (outcome > 0) {
                        report(reg, outcome); // failed; the channel is closed: nothing to re-arm
                    }
                    return; // < 0: still pending (a spurious wake-up); OP_CONNECT stays watched
                }
                bits = reg.armed & W; // connected: writable; the key now watches what is armed
            } else {
                if ((readyOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
                    bits |= R;
                }
                if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                    bits |= W;
                }
                bits &= reg.armed;
                if (bits == 0) {
                    return;
                }
            }
            reg.armed &= ~bits;
            try {
                apply(reg);
            } catch (CancelledKeyException closed) {
                return;
            }
            if (bits != 0) {
                report(reg, ((bits & R) != 0 ? Ready.READABLE : 0) | ((bits & W) != 0 ? Ready.WRITABLE : 0));
            }
        }
    }

    private void report(Registration reg, int flags) {
        outTokens[count] = reg.token;
        outFlags[count] = flags;
        count++;
    }

    /**
     * Finishes the connect whose {@code OP_CONNECT} fired; caller holds the registration's lock.
     * Returns 0 when connected, -1 while still pending, else the flags that report the failure.
     */
    private int finishConnect(Registration reg) {
        SocketChannel ch = (SocketChannel) reg.channel;
        try {
            return ch.finishConnect() ? 0 : -1;
        } catch (IOException e) {
            connectErrors.put(ch, e);
            return Ready.ERROR | Ready.READ_CLOSED | Ready.WRITE_CLOSED
                    | ((reg.interest & R) != 0 ? Ready.READABLE : 0) | ((reg.interest & W) != 0 ? Ready.WRITABLE : 0);
        }
    }

    @Override
    public IOException takeConnectError(SelectableChannel channel) {
        return connectErrors.isEmpty() ? null : connectErrors.remove(channel);
    }

    @Override
    public void wakerToken(long token) {
        wakerToken = token;
    }

    @Override
    public void wakeup() {
        wakeRequested = true;
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        // Closing the JDK selector deregisters every key and completes deferred channel closes.
        connectErrors.clear();
        selector.close();
    }

    /** One channel's registration; the key's attachment. Guarded by its own monitor. */
    private static final class Registration {
        final SelectableChannel channel;
        SelectionKey key;
        long token;
        int interest;
        int armed;
        boolean live;

        Registration(SelectableChannel channel, long token, int interest) {
            this.channel = channel;
            reset(token, interest);
        }

        /** (Re)registration arms every interest, like {@code EPOLL_CTL_MOD} re-arms an edge. */
        void reset(long token, int interest) {
            this.token = token;
            this.interest = interest;
            this.armed = interest;
            this.live = true;
        }

        /** The java.nio ops that watch the armed readiness right now. */
        int opsFor() {
            int watch = armed & (R | W);
            if (watch == 0) {
                return 0;
            }
            if (channel instanceof SocketChannel sc && sc.isConnectionPending()) {
                // Before finishConnect only OP_CONNECT means anything; select finishes the connect.
                return SelectionKey.OP_CONNECT;
            }
            int valid = channel.validOps();
            int ops = 0;
            if ((watch & R) != 0) {
                ops |= valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
            }
            if ((watch & W) != 0) {
                ops |= valid & SelectionKey.OP_WRITE;
            }
            return ops;
        }
    }
}
