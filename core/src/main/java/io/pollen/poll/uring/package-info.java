/**
 * The io_uring backend (internal): {@link io.pollen.poll.uring.Ring} manages one ring (setup
 * flags, mapped queues, batched submission, the wait deadline, CQ overflow, the opcode probe),
 * {@link io.pollen.poll.uring.Sqes} writes its operations, {@code Slots} maps a completion's
 * {@code user_data} to its owner in O(1) and rejects stale ones, and
 * {@link io.pollen.poll.uring.UringSelector} keeps the Poll contract with multishot
 * {@code POLL_ADD}. {@link io.pollen.poll.uring.UringSupport} says once per process whether
 * io_uring can run here, and why not.
 */
package io.pollen.poll.uring;
