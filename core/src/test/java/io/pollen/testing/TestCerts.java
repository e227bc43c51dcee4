package io.pollen.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys and certificates made at test time with {@code openssl} (skipped without it) in a
 * directory of the test's: a test CA, and PEM pairs ({@code .pem} chain, {@code .key} PKCS#8) signed
 * by it for {@code localhost}/{@code 127.0.0.1} (RSA and EC), for {@code wrong.host}, an expired
 * one (valid in January 2020, made with {@code openssl ca -startdate/-enddate}), and one signed by
 * another CA that no test trusts; client certificates (mutual TLS) signed by each CA.
 * {@link #openssl} runs more openssl commands there (other key formats).
 */
public final class TestCerts {
    /** The trusted test CA's certificate. */
    public final Path ca;
    /** localhost + 127.0.0.1 + ::1, RSA key. */
    public final Pair server;
    /** localhost + 127.0.0.1 + ::1, EC P-256 key. */
    public final Pair serverEc;
    public final Pair wrongHost;
    public final Pair expired;
    public final Pair unknownCa;
    /** A client certificate (extendedKeyUsage clientAuth) for {@code CN=pollen-client}, signed by the test CA. */
    public final Pair client;
    /** A client certificate signed by the CA that no test trusts. */
    public final Pair clientUnknownCa;
    /** A client certificate of the test CA that expired (January 2020). */
    public final Pair clientExpired;

    /** A certificate chain and its key. */
    public record Pair(Path cert, Path key) {
    }

    private final Path dir;

    private TestCerts(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        ca = ca("ca", "Pollen Test CA");
        ca("other-ca", "Untrusted Test CA");
        Files.writeString(dir.resolve("ca.cnf"), """
                [ca]
                default_ca = test
                [test]
                database = %1$s/index.txt
                new_certs_dir = %1$s
                serial = %1$s/serial
                default_md = sha256
                policy = any
                copy_extensions = copy
                [any]
                commonName = supplied
                """.formatted(dir));
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        server = leaf("server", "rsa:2048", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", "ca", null);
        serverEc = leaf("server-ec", "ec", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", "ca", null);
        wrongHost = leaf("wrong", "ec", "wrong.host", "DNS:wrong.host", "ca", null);
        expired = leaf("expired", "ec", "localhost", "DNS:localhost,IP:127.0.0.1", "ca", "expired");
        unknownCa = leaf("unknown", "ec", "localhost", "DNS:localhost,IP:127.0.0.1", "other-ca", null);
        client = leaf("client", "ec", "pollen-client", "DNS:pollen-client", "ca", null, "clientAuth");
        clientUnknownCa = leaf("client-unknown", "ec", "pollen-client", "DNS:pollen-client", "other-ca", null, "clientAuth");
        clientExpired = leaf("client-expired", "ec", "expired-client", "DNS:expired-client", "ca", "expired", "clientAuth");
    }

    /** Makes the set in {@code dir}; skips the test when openssl is missing. */
    public static TestCerts create(Path dir) throws IOException, InterruptedException {
        Assumptions.assumeTrue(hasOpenssl(), "openssl not installed");
        return new TestCerts(dir);
    }

    public Path dir() {
        return dir;
    }

    private Path ca(String name, String cn) throws IOException, InterruptedException {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "3", "-subj", "/CN=" + cn,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return dir.resolve(name + ".pem");
    }

    private Pair leaf(String name, String keyType, String cn, String san, String issuer, String expiredMode)
            throws IOException, InterruptedException {
        return leaf(name, keyType, cn, san, issuer, expiredMode, "serverAuth");
    }

    private Pair leaf(String name, String keyType, String cn, String san, String issuer, String expiredMode, String usage)
            throws IOException, InterruptedException {
        List<String> req = new ArrayList<>(List.of("req", "-new", "-newkey", keyType.startsWith("rsa") ? keyType : "ec"));
        if (!keyType.startsWith("rsa")) {
            req.addAll(List.of("-pkeyopt", "ec_paramgen_curve:prime256v1"));
        }
        req.addAll(List.of("-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn,
                "-addext", "subjectAltName=" + san));
        openssl(req.toArray(String[]::new));
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\nextendedKeyUsage=" + usage + "\n");
        if (expiredMode != null) {
            openssl("ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", issuer + ".pem", "-keyfile", issuer + ".key",
                    "-in", name + ".csr", "-out", name + ".pem", "-startdate", "20200101000000Z",
                    "-enddate", "20200102000000Z", "-extfile", name + ".ext");
        } else {
            openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key",
                    "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
        }
        return new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    }

    /**
     * Runs {@code openssl args} in {@link #dir()} (e.g. to convert a key to another format); fails
     * with openssl's output if it fails.
     */
    public void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    private static boolean hasOpenssl() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
