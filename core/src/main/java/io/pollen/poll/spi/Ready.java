package io.pollen.poll.spi;

/**
 * The one readiness bit set of Pollen, from the kernel to the handler: a backend writes these bits
 * into the flags array of {@link Selector#select} (or hands them to {@link Driver.Dispatch#ready}),
 * and the same {@code int} reaches {@code Events}, the runtime's {@code ReadyHandler} and
 * {@code Registration.readiness()} unchanged. {@code io.pollen.runtime.Readiness} is its public
 * name; {@code Event}'s and {@code Events}' accessors test these bits. Interest bits are defined
 * here too, and {@code Interest} uses them as they are.
 */
public final class Ready {
    private Ready() {
    }

    public static final int READABLE = 1;
    public static final int WRITABLE = 1 << 1;
    public static final int ERROR = 1 << 2;
    public static final int READ_CLOSED = 1 << 3;
    public static final int WRITE_CLOSED = 1 << 4;
    public static final int PRIORITY = 1 << 5;

    /** Interest bits as passed to the SPI (same values as {@code Interest}'s). */
    public static final int INTEREST_READABLE = 1;
    public static final int INTEREST_WRITABLE = 2;
    public static final int INTEREST_PRIORITY = 4;
}
