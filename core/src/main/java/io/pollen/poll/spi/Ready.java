package io.pollen.poll.spi;

/** The readiness bits a backend writes into the flags array of {@link Selector#select}. */
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
