package io.pollen.runtime;

/**
 * Cache-line padding, for the few fields one thread writes all the time while other threads read
 * what lies next to them in memory. A loop writes "the task running now" for every task it runs;
 * a thread spawning onto the loop reads the loop's queue fields for every spawn. When both sit on
 * one cache line (same object, or neighbouring objects, which the collector places as it likes),
 * each spawn pulls the line over to the spawning core and each task pulls it back: measured with
 * {@code bench/jmh.sh runtime}, that cost about a third of a cross-thread spawn.
 *
 * <p>Java places a superclass's fields before its subclass's, so padding in a superclass and in a
 * subclass puts a field on lines of its own, whoever its neighbours are. Byte fields, not longs:
 * the JVM fills alignment holes in a superclass with subclass fields, and bytes leave none. (The
 * JDK's {@code @Contended} does this properly but is not open to code outside the JDK.)
 */
final class Padded {
    private Padded() {
    }

    /** 128 bytes: two cache lines, as the adjacent-line prefetcher fetches lines in pairs. */
    abstract static class Before {
        byte a00, a01, a02, a03, a04, a05, a06, a07, a08, a09, a0a, a0b, a0c, a0d, a0e, a0f;
        byte a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a1a, a1b, a1c, a1d, a1e, a1f;
        byte a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a2a, a2b, a2c, a2d, a2e, a2f;
        byte a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a3a, a3b, a3c, a3d, a3e, a3f;
        byte a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a4a, a4b, a4c, a4d, a4e, a4f;
        byte a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a5a, a5b, a5c, a5d, a5e, a5f;
        byte a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a6a, a6b, a6c, a6d, a6e, a6f;
        byte a70, a71, a72, a73, a74, a75, a76, a77, a78, a79, a7a, a7b, a7c, a7d, a7e, a7f;
    }

    /** The field that needs a line of its own; {@link PaddedRef} adds the padding after it. */
    abstract static class Field<T> extends Before {
        T value;
    }
}
