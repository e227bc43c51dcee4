package io.pollen.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Error reporting that cannot throw: the path an event loop (and Pollen's HTTP server) takes to
 * say that something failed, including while the process is out of file descriptors or memory.
 *
 * <p>{@link #warn} first tries the given {@link System.Logger}. Whatever that throws — found in
 * production: at {@code EMFILE}, the default logging formatter needs the time-zone file, cannot
 * open it, and throws {@code NoClassDefFoundError: sun.util.calendar.ZoneInfoFile}, for good — is
 * caught, and the message goes to {@link #print}: one plain line per failure (no date, no
 * formatter, no file to open) to {@code System.err}, or, if even that throws, to the process's
 * stderr descriptor, with a preallocated text if the message cannot be built. Once a logger has
 * failed, later warnings go straight to the plain path: a class whose initialisation failed stays
 * failed for the life of the JVM.
 *
 * <p>Guaranteed (once the class is loaded, see {@link #preload()}): no method here throws, whatever the logger, the stream or the {@code Throwable}
 * does ({@code toString} or {@code getStackTrace} that throw included). Not guaranteed: that the
 * text arrives (stderr may be closed or full), or its completeness under {@link OutOfMemoryError}.
 */
public final class LastResort {
    private LastResort() {
    }

    /** Stack frames printed per throwable on the plain path; enough to locate, short enough to read. */
    private static final int FRAMES = 12;
    private static final byte[] UNREPORTABLE =
            "pollen: a failure could not be reported (out of memory?)\n".getBytes(StandardCharsets.US_ASCII);
    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);
    private static volatile boolean loggingBroken;

    static {
        // Load and link now everything the plain path uses: at EMFILE, loading a class from a
        // directory on the class path needs a descriptor too (seen: NoClassDefFoundError of this
        // very class, out of a loop's last-chance report).
        format("", new Throwable());
    }

    /**
     * Makes sure this class (and what its plain path uses) is loaded: call it at startup from any
     * code whose error path may run when no descriptor is free. Idempotent, prints nothing.
     */
    public static void preload() {
        // the static initialiser did the work
    }

    /**
     * Logs {@code message} and {@code t} as a warning on {@code logger}; if that throws, writes
     * them with {@link #print}. Never throws.
     */
    public static void warn(System.Logger logger, String message, Throwable t) {
        if (!loggingBroken) {
            try {
                logger.log(System.Logger.Level.WARNING, message, t);
                return;
            } catch (Throwable broken) {
                loggingBroken = true;
                print("logging failed, reporting on stderr from now on", broken);
            }
        }
        print(message, t);
    }

    /** {@link #warn} of {@code message + subject}, the text built only inside the guard. */
    public static void warn(System.Logger logger, String message, Object subject, Throwable t) {
        String text;
        try {
            text = message + subject;
        } catch (Throwable e) {
            text = message;
        }
        warn(logger, text, t);
    }

    /** {@link #print} of {@code message + subject + suffix}, the text built only inside the guard. */
    public static void print(String message, Object subject, String suffix, Throwable t) {
        String text;
        try {
            text = message + subject + suffix;
        } catch (Throwable e) {
            text = message;
        }
        print(text, t);
    }

    /**
     * Writes {@code message} and {@code t} (its class, message, first frames and causes) as plain
     * text to {@code System.err}; falls back to the stderr descriptor. Never throws.
     */
    public static void print(String message, Throwable t) {
        byte[] text;
        try {
            text = format(message, t).getBytes(StandardCharsets.UTF_8);
        } catch (Throwable e) {
            text = UNREPORTABLE;
        }
        try {
            PrintStream err = System.err;
            err.write(text, 0, text.length);
            err.flush();
            return;
        } catch (Throwable e) {
            // System.err is broken or replaced by something that throws: the descriptor itself
        }
        try {
            STDERR.write(text);
        } catch (Throwable e) {
            // nowhere left to say it
        }
    }

    private static String format(String message, Throwable t) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("pollen WARNING [").append(Thread.currentThread().getName()).append("] ").append(message);
        if (t == null) {
            return sb.append('\n').toString();
        }
        sb.append(": ");
        Throwable c = t;
        for (int depth = 0; c != null && depth < 4; depth++, c = safeCause(c)) {
            if (depth > 0) {
                sb.append("Caused by: ");
            }
            sb.append(describe(c)).append('\n');
            try {
                StackTraceElement[] frames = c.getStackTrace();
                for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
                    sb.append("\tat ").append(frames[i]).append('\n');
                }
                if (frames.length > FRAMES) {
                    sb.append("\t... ").append(frames.length - FRAMES).append(" more\n");
                }
            } catch (Throwable e) {
                sb.append("\t(no stack trace)\n");
            }
        }
        return sb.toString();
    }

    /** {@code t.toString()}, or its class name when that throws. */
    private static String describe(Throwable t) {
        try {
            return t.toString();
        } catch (Throwable e) {
            return t.getClass().getName();
        }
    }

    private static Throwable safeCause(Throwable t) {
        try {
            Throwable c = t.getCause();
            return c == t ? null : c;
        } catch (Throwable e) {
            return null;
        }
    }
}
