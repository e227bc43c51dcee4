package io.pollen.net;

/**
 * Who is at the other end of a Unix stream: the peer process's id, user id and group id, as the
 * kernel recorded them when the connection was made (for the ends of a {@code pair()}, the process
 * that created the pair): Linux's {@code SO_PEERCRED}; {@code getpeereid} on macOS and FreeBSD, with
 * the pid from {@code LOCAL_PEERPID} on macOS. The kernel vouches for them: a peer cannot
 * forge them, which is what makes them fit for access checks.
 *
 * <p>Not guaranteed: that the process still exists, or still has those ids (it may have exited or
 * changed user since it connected); a pid on FreeBSD, where {@code getpeereid} gives none and
 * {@code pid} is {@code -1}. Available on the native backends (Linux, macOS, FreeBSD); on nio
 * {@link UnixStream#peerCredentials()} throws {@link UnsupportedOperationException}.
 *
 * @param pid the peer's process id, or {@code -1} where the OS does not say (FreeBSD)
 * @param uid its effective user id
 * @param gid its effective group id
 */
public record PeerCredentials(long pid, long uid, long gid) {
}
