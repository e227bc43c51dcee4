/**
 * Pollen's minimal, correct HTTP/1.1 server and client on the Pollen runtime.
 *
 * <p>Only {@link io.pollen.http} is exported; the byte-level codec lives in a package of its own
 * that stays internal.
 */
module io.pollen.http {
    requires transitive io.pollen;

    exports io.pollen.http;
}
