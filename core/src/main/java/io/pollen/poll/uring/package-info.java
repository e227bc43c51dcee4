/**
 * The io_uring backend (internal), in two shapes over the same pieces.
 *
 * <h2>The pieces</h2>
 * {@link io.pollen.poll.uring.Ring} manages one ring (mapped queues, batched submission, the wait
 * deadline, CQ overflow, the opcode probe, its {@code io_uring_enter} count); {@code RingSetup}
 * makes one (setup flags dropped one by one while the kernel refuses them, the mappings);
 * {@link io.pollen.poll.uring.Sqes} writes its operations; {@code Slots} maps a completion's
 * {@code user_data} to its owner in O(1) and rejects stale ones (generation); {@code PollSet} is
 * readiness through multishot {@code POLL_ADD}; {@link io.pollen.poll.uring.BufRing} is a
 * provided-buffer ring; {@link io.pollen.poll.uring.UringSupport} says once per process whether
 * io_uring can run here, and why not.
 *
 * <h2>The two shapes</h2>
 * <ul>
 *   <li>{@link io.pollen.poll.uring.UringSelector}: the {@code Poll} backend, readiness only, any
 *       thread registers (a lock; no single-issuer flags). Also the decoupled {@code Reactor}'s,
 *       whose sockets are used off its thread.</li>
 *   <li>{@link io.pollen.poll.uring.UringDriver}: an event loop's driver, owned by the loop's thread
 *       ({@code SINGLE_ISSUER | DEFER_TASKRUN | COOP_TASKRUN | SUBMIT_ALL}, the ring fd
 *       registered for that thread: {@code Ring#registerFd}), one {@code io_uring_enter} per iteration. TCP streams do their I/O as completions
 *       ({@code CompletionStream}: multishot recv into the loop's {@code BufRing}, sends from
 *       {@code SendBuffers}), TCP listeners through a multishot accept ({@code AcceptQueue}), a
 *       stream registered before it connected through {@code IORING_OP_CONNECT}
 *       ({@code StreamConnect}); UDP, Unix sockets, pipes, raw fds and the connect of a stream that
 *       connected itself stay readiness ({@code PollSet}) on the same ring; {@code LoopFds} is the
 *       registration side. Closing an fd stays {@code close(2)}, after its operations are
 *       cancelled: a socket may be closed from any thread, and the ring has one submitter.</li>
 * </ul>
 *
 * <h2>Reports and reads</h2>
 * A run reaps every completion before it calls any handler: the reaping is bookkeeping only
 * (a recv's buffer joins its stream's kept list, an accepted fd its listener's queue, a send frees
 * room), and readiness is noted by registration ({@code Reports}). Then each registration's
 * handler is called once per run with the bits of all its completions, mio's one event per token
 * per poll. A stream's read that finds nothing kept while completions wait unreaped (posted by a
 * deregistration's {@code io_uring_enter}, or an overflow flush) has the driver reap them the same
 * way, no handler called, and answers from what the stream keeps then, or, nothing of it being
 * in flight, with one plain {@code recv}: with {@code DEFER_TASKRUN} the kernel copies for a
 * multishot recv only inside the loop thread's {@code io_uring_enter}, so bytes still in the
 * socket come after everything reaped. A look before calling a connection idle (a draining server,
 * a pooled client connection) therefore sees what arrived, as on epoll.
 *
 * <h2>Sizes</h2>
 * A loop's driver is sized by system properties, read once per process ({@code UringConfig}); a
 * value out of range is refused when the first io_uring loop opens, with an
 * {@code IllegalArgumentException} naming the property, the value and the allowed range:
 * <ul>
 *   <li>{@code pollen.uring.entries} (256; a power of two, 1..32768): submission queue entries.</li>
 *   <li>{@code pollen.uring.cq.entries} (max(4096, 2 &times; entries), at most 65536; a power of
 *       two from entries to 65536): completion queue entries.</li>
 *   <li>{@code pollen.uring.buffers} (256; a power of two, 1..32768, as the kernel wants):
 *       provided receive buffers per loop.</li>
 *   <li>{@code pollen.uring.buffer.size} (16384; 256..1048576 bytes, buffers &times; size at most
 *       1 GiB): bytes per provided buffer.</li>
 *   <li>{@code pollen.uring.stream.buffers} (max(2, buffers / 8), at most buffers; 1..buffers):
 *       buffers one stream may hold unread before its recv pauses.</li>
 *   <li>{@code pollen.uring.send.buffer} (65536; 1024..67108864 bytes): a stream's send buffer,
 *       what its writes take before they return 0.</li>
 * </ul>
 * The readiness-only {@code UringSelector} keeps its own ring sizes.
 *
 * <h2>Buffer ownership</h2>
 * A provided buffer is the kernel's while it sits in the ring, the stream's from the completion
 * that hands it over until a read consumed it, then the kernel's again; a stale completion's
 * buffer goes straight back. A stream holds at most its share of the ring
 * ({@code pollen.uring.stream.buffers}, 1/8 by default): past it its recv is cancelled, and resumed
 * once reads catch up. A recv that found the ring empty is re-armed by a later run, one per buffer
 * back. The bytes a send covers are the kernel's from
 * submission to completion: new writes are appended after them, never over them, and a send
 * buffer is given back (or freed, at close) only once no send of it is in flight. Closing the
 * driver cancels everything and waits, a bounded time, for the completions before freeing; what
 * the kernel has not handed back by then is left allocated rather than freed under it.
 */
package io.pollen.poll.uring;
