package io.pollen.cli;

import io.pollen.tls.TlsContexts;
import io.pollen.tls.TlsIdentity;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * curl's TLS options for the commands that fetch {@code https://} URLs ({@code get}, {@code demo}):
 * {@code --cacert FILE} (trust the CA certificates of a PEM file instead of the JDK's trust store),
 * {@code -k/--insecure} (check nothing), and a client certificate for servers that ask for one
 * (mutual TLS): {@code --cert FILE --key FILE [--pass PASSWORD]}.
 */
final class TlsClientOptions {
    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Trust the CA certificate(s) of this PEM file instead of the JDK's default trust store (https).")
    Path cacert;

    @Option(names = {"-k", "--insecure"},
            description = "Accept any server certificate and host name (https; for testing only).")
    boolean insecure;

    @Option(names = {"-E", "--cert"}, paramLabel = "FILE",
            description = "Client certificate chain (PEM) for servers that require one (mutual TLS); needs --key.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE",
            description = "Private key of --cert (PEM: PKCS#8, PKCS#1 RSA, SEC1 EC, or encrypted PKCS#8 with --pass).")
    Path key;

    @Option(names = "--pass", paramLabel = "PASSWORD",
            description = "Password of an encrypted --key; env:VAR and file:PATH read it from there instead.")
    String pass;

    /**
     * The context these options ask for; null for the JDK's default trust store and no client
     * certificate.
     *
     * @throws IllegalArgumentException when a file cannot be used, saying which and why
     */
    SSLContext context() {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together");
        }
        if (pass != null && key == null) {
            throw new IllegalArgumentException("--pass needs --cert and --key");
        }
        TlsIdentity identity = null;
        if (cert != null) {
            try {
                identity = TlsIdentity.load(readable(cert, "--cert"), readable(key, "--key"), password(pass, "--pass"));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("--cert/--key: " + e.getMessage(), e);
            }
        }
        try {
            if (insecure) {
                return TlsContexts.insecureClient(identity);
            }
            if (cacert != null || identity != null) {
                return TlsContexts.client(cacert == null ? null : readable(cacert, "--cacert"), identity);
            }
            return null;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--cacert: " + e.getMessage(), e);
        }
    }

    private static Path readable(Path file, String option) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + ": cannot read " + file);
        }
        return file;
    }

    /**
     * A password option's value: {@code env:VAR} (the variable), {@code file:PATH} (the file's first
     * line), else the text itself; null stays null. Usage errors say what is missing.
     */
    static char[] password(String value, String option) {
        if (value == null) {
            return null;
        }
        if (value.startsWith("env:")) {
            String v = System.getenv(value.substring(4));
            if (v == null) {
                throw new IllegalArgumentException(option + ": the environment variable " + value.substring(4) + " is not set");
            }
            return v.toCharArray();
        }
        if (value.startsWith("file:")) {
            try {
                String text = Files.readString(Path.of(value.substring(5)), StandardCharsets.UTF_8);
                return text.lines().findFirst().orElse("").toCharArray();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(option + ": cannot read " + value.substring(5));
            }
        }
        return value.toCharArray();
    }
}
