package io.pollen.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM files (RFC 7468) read with the JDK's stable APIs only: certificates through
 * {@link CertificateFactory}, unencrypted PKCS#8 private keys ({@code BEGIN PRIVATE KEY}: RSA, EC,
 * EdDSA, RSASSA-PSS) through {@link KeyFactory}. Other key formats are refused with the openssl
 * command that converts them.
 */
final class Pem {
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

    private Pem() {
    }

    /** Every certificate in {@code file}, in order (a chain: the leaf first). */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (byte[] der : blocks(file, "CERTIFICATE")) {
            try {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new CertificateException(file + ": not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new CertificateException(file + ": no '-----BEGIN CERTIFICATE-----' block");
        }
        return out;
    }

    /** The private key in {@code file}. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new InvalidKeySpecException(file + ": encrypted keys are not supported; decrypt with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem'");
        }
        for (String legacy : new String[]{"RSA", "EC", "DSA"}) {
            if (text.contains("-----BEGIN " + legacy + " PRIVATE KEY-----")) {
                throw new InvalidKeySpecException(file + ": a " + legacy + " key in its legacy format; convert it to"
                        + " PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem'");
            }
        }
        List<byte[]> keys = blocks(file, "PRIVATE KEY");
        if (keys.isEmpty()) {
            throw new InvalidKeySpecException(file + ": no '-----BEGIN PRIVATE KEY-----' block");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.getFirst());
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException wrongAlgorithm) {
                // try the next one: PKCS#8 names its algorithm, but KeyFactory wants it up front
            }
        }
        throw new InvalidKeySpecException(file + ": not an RSA, EC or EdDSA PKCS#8 private key");
    }

    /** The DER bytes of every {@code -----BEGIN label-----} block of {@code file}. */
    static List<byte[]> blocks(Path file, String label) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf(begin, from);
            if (b < 0) {
                return out;
            }
            int e = text.indexOf(end, b);
            if (e < 0) {
                throw new IOException(file + ": '" + begin + "' without its '" + end + "'");
            }
            String body = text.substring(b + begin.length(), e);
            try {
                out.add(Base64.getMimeDecoder().decode(body));
            } catch (IllegalArgumentException bad) {
                throw new IOException(file + ": bad base64 in a " + label + " block: " + bad.getMessage(), bad);
            }
            from = e + end.length();
        }
    }
}
