package io.pollen.cli;

import io.pollen.tls.TlsContexts;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * curl's TLS options for the commands that fetch {@code https://} URLs ({@code get}, {@code demo}):
 * {@code --cacert FILE} (trust the CA certificates of a PEM file instead of the JDK's trust store)
 * and {@code -k/--insecure} (check nothing).
 */
final class TlsClientOptions {
    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Trust the CA certificate(s) of this PEM file instead of the JDK's default trust store (https).")
    Path cacert;

    @Option(names = {"-k", "--insecure"},
            description = "Accept any server certificate and host name (https; for testing only).")
    boolean insecure;

    /**
     * The context these options ask for; null for the JDK's default trust store.
     *
     * @throws IllegalArgumentException when the CA file cannot be read, saying why
     */
    SSLContext context() {
        try {
            if (insecure) {
                return TlsContexts.insecureClient();
            }
            if (cacert != null) {
                if (!Files.isReadable(cacert)) {
                    throw new IllegalArgumentException("--cacert: cannot read " + cacert);
                }
                return TlsContexts.client(cacert);
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--cacert: " + e.getMessage(), e);
        }
    }
}
