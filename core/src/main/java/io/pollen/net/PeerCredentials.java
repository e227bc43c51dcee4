package io.pollen.net;

/**
 * Who is at the other end of a Unix stream: the peer process's id, user id and group id, as the
 * kernel recorded them when the connection was made (Linux's {@code SO_PEERCRED}; for the ends of a
 * {@code pair()}, the process that created the pair). The kernel vouches for them: a peer cannot
 * forge them, which is what makes them fit for access checks.
 *
 * <p>Not guaranteed: that the process still exists, or still has those ids (it may have exited or
 * changed user since it connected). Available on the native backends on Linux only; elsewhere
 * {@link UnixStream#peerCredentials()} throws {@link UnsupportedOperationException}.
 *
 * @param pid the peer's process id
 * @param uid its effective user id
 * @param gid its effective group id
 */
public record PeerCredentials(long pid, long uid, long gid) {
}
