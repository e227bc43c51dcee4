package io.pollen.poll;

/**
 * Identifies a registration: the value handed to {@link Registry#register} comes back in every
 * {@link Event} for that source. Choose it so that it finds the owner in O(1) (an array index, a
 * slot in a table); Pollen never interprets it.
 *
 * <p>Values are non-negative; negative values are reserved for Pollen's own internal wake-ups.
 * Events report the raw {@code long} ({@link Event#token()}) so that iterating events allocates
 * nothing; compare with {@link #value()} or {@link Event#is(Token)}.
 *
 * @param value the token's value, {@code >= 0}
 */
public record Token(long value) {
    public Token {
        if (value < 0) {
            throw new IllegalArgumentException("token values are >= 0 (negative values are reserved): " + value);
        }
    }

    /** Shorthand for {@code new Token(value)}. */
    public static Token of(long value) {
        return new Token(value);
    }
}
