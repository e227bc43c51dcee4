package io.pollen.poll.uring;

import io.pollen.poll.epoll.EpollSelector;
import io.pollen.poll.spi.FdSelector;
import io.pollen.poll.spi.Ready;
import io.pollen.sys.linux.IoUring;

import java.io.IOException;

/**
 * Readiness through multishot {@code POLL_ADD}, written once for both io_uring backends: the
 * Poll-level {@link UringSelector} (any thread registers, under its lock) and the loop-owned
 * {@link UringDriver}. Each registered fd is a slot of a {@link Slots} table indexed by the fd;
 * {@code user_data} = the slot's generation and the fd, so a completion of an older registration
 * (or of an fd number since reused) no longer matches and is dropped.
 *
 * <p>This class only queues SQEs; its owner decides when they are submitted. A CQE without
 * {@code IORING_CQE_F_MORE} means the kernel ended the poll (e.g. the CQ overflowed): its readiness
 * is reported and the poll queued again (arming checks readiness at once: no edge is lost). A
 * negative result (EBADF: not an open fd) is reported once as an error and not re-armed.
 * Not thread-safe.
 */
final class PollSet {
    /** Slot bit: the kernel ended this poll with an error; not re-armed. */
    static final int DISARMED = 1 << 8;
    /** {@code user_data} of operations whose completions are ignored (poll removals, cancels). */
    static final long IGNORE = -2L;

    /** Where {@link #complete} reports a readiness. */
    interface Report {
        void report(int fd, long token, int ready) throws IOException;
    }

    private final Ring ring;
    final Slots slots = new Slots(64, false);
    private long rearms;

    PollSet(Ring ring) {
        this.ring = ring;
    }

    /** Whether {@code fd} has a live slot (a poll, or whatever else its owner keeps there). */
    boolean isLive(int fd) {
        return slots.isLive(fd);
    }

    /** Queues a multishot poll of {@code fd} for {@code interest} ({@link Ready} interest bits). */
    void add(int fd, long token, int interest) throws IOException {
        if (slots.isLive(fd)) {
            throw FdSelector.alreadyRegistered(fd, null);
        }
        long ud = slots.open(fd, token, interest);
        try {
            ring.sqes.pollAdd(fd, EpollSelector.toEpoll(interest), true, ud);
        } catch (IOException | RuntimeException e) {
            slots.close(fd);
            throw e;
        }
    }

    /** Replaces the poll of {@code fd}: the old one removed, a new one (new generation) queued. */
    void modify(int fd, long token, int interest) throws IOException {
        long old = registered(fd, "reregister");
        slots.close(fd);
        long ud = slots.open(fd, token, interest);
        ring.sqes.pollRemove(old, IGNORE);
        ring.sqes.pollAdd(fd, EpollSelector.toEpoll(interest), true, ud);
    }

    /** Queues the removal of {@code fd}'s poll; its completions are stale from now on. */
    void remove(int fd) throws IOException {
        long old = registered(fd, "deregister");
        slots.close(fd);
        ring.sqes.pollRemove(old, IGNORE);
    }

    /** The user data of {@code fd}'s live registration; misuse ({@code op} of an unknown fd) throws. */
    long registered(int fd, String op) {
        if (!slots.isLive(fd)) {
            throw FdSelector.notRegistered(fd, op, null);
        }
        return slots.userData(fd);
    }

    /** How many polls the kernel ended that were added again (tests). */
    long rearms() {
        return rearms;
    }

    /**
     * Handles the CQE of a poll (any {@code user_data >= 0}); drops it if stale, else reports its
     * readiness to {@code to} (re-arming first when the kernel ended the poll).
     */
    void complete(long ud, int res, int cqeFlags, Report to) throws IOException {
        int fd = slots.owner(ud);
        if (fd < 0) {
            return;   // a registration that is gone: stale
        }
        if (res < 0) {
            slots.bits(fd, slots.bits(fd) | DISARMED);
            to.report(fd, slots.token(fd), Ready.ERROR);
            return;
        }
        if ((cqeFlags & IoUring.IORING_CQE_F_MORE) == 0) {
            ring.sqes.pollAdd(fd, EpollSelector.toEpoll(slots.bits(fd) & 7), true, ud);
            rearms++;
        }
        int ready = EpollSelector.toReady(res);
        if (ready != 0) {
            to.report(fd, slots.token(fd), ready);
        }
    }
}
