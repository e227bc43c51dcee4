/**
 * FFM bindings to kqueue (internal): {@link io.pollen.sys.bsd.KQueue} (the calls, the shared
 * constants, where the functions are loaded from) and {@link io.pollen.sys.bsd.KqueueAbi} (the
 * per-platform {@code struct kevent} layouts and the constants that differ: macOS, FreeBSD 12+,
 * libkqueue on Linux).
 */
package io.pollen.sys.bsd;
