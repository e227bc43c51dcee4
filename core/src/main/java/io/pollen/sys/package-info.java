/**
 * The one public type of Pollen's native layer: {@link io.pollen.sys.NativeIOException}.
 *
 * <p>The bindings themselves (FFM downcall handles, struct layouts, constants) live in the
 * internal packages {@code io.pollen.sys.unix} and {@code io.pollen.sys.linux}, which the module
 * does not export.
 */
package io.pollen.sys;
