/**
 * The epoll backend of {@link io.pollen.poll.Poll} (internal): {@link io.pollen.poll.epoll.EpollSelector}.
 */
package io.pollen.poll.epoll;
