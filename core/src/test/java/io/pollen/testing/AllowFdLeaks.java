package io.pollen.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts a test class from the {@link NoFdLeaks} check. Meant for a class whose very subject is
 * fds that outlive it (none does today); say why in {@link #value()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface AllowFdLeaks {
    /** Why this class's fds may outlive it. */
    String value();
}
