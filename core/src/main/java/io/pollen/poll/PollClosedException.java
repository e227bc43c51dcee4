package io.pollen.poll;

/** Thrown by any operation on a {@link Poll} (or its {@link Registry}) after {@link Poll#close()}. */
public final class PollClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public PollClosedException(String what) {
        super(what + ": the Poll is closed");
    }
}
