package io.pollen.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One reference alone on its cache lines ({@link Padded}): for a field that one side of the loop
 * writes for every task while the other side reads its neighbours. Plain accessors, plus the
 * atomic exchange and volatile read a queue's tail needs.
 */
final class PaddedRef<T> extends Padded.Field<T> {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Padded.Field.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 128 bytes after the value, as {@link Padded.Before} puts 128 before it. */
    private byte z00, z01, z02, z03, z04, z05, z06, z07, z08, z09, z0a, z0b, z0c, z0d, z0e, z0f;
    private byte z10, z11, z12, z13, z14, z15, z16, z17, z18, z19, z1a, z1b, z1c, z1d, z1e, z1f;
    private byte z20, z21, z22, z23, z24, z25, z26, z27, z28, z29, z2a, z2b, z2c, z2d, z2e, z2f;
    private byte z30, z31, z32, z33, z34, z35, z36, z37, z38, z39, z3a, z3b, z3c, z3d, z3e, z3f;
    private byte z40, z41, z42, z43, z44, z45, z46, z47, z48, z49, z4a, z4b, z4c, z4d, z4e, z4f;
    private byte z50, z51, z52, z53, z54, z55, z56, z57, z58, z59, z5a, z5b, z5c, z5d, z5e, z5f;
    private byte z60, z61, z62, z63, z64, z65, z66, z67, z68, z69, z6a, z6b, z6c, z6d, z6e, z6f;
    private byte z70, z71, z72, z73, z74, z75, z76, z77, z78, z79, z7a, z7b, z7c, z7d, z7e, z7f;

    PaddedRef(T initial) {
        value = initial;
    }

    /** Plain read: the owner's own field, or a racy look (statistics, reports). */
    T get() {
        return value;
    }

    /** Plain write: the owner's own field. */
    void set(T v) {
        value = v;
    }

    @SuppressWarnings("unchecked")
    T getVolatile() {
        return (T) VALUE.getVolatile(this);
    }

    /** Atomically swaps in {@code v}: a producer's step on a shared queue tail. */
    @SuppressWarnings("unchecked")
    T getAndSet(T v) {
        return (T) VALUE.getAndSet(this, v);
    }
}
