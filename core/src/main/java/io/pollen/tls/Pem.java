package io.pollen.tls;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
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
 * {@link CertificateFactory}; private keys through {@link KeyFactory} from PKCS#8, which the other
 * formats are turned into first: PKCS#1 {@code BEGIN RSA PRIVATE KEY} and SEC1
 * {@code BEGIN EC PRIVATE KEY} are wrapped ({@link Der}), an encrypted PKCS#8
 * {@code BEGIN ENCRYPTED PRIVATE KEY} is decrypted with its password (PBES2 as OpenSSL writes it, or
 * a PBES1 scheme the JDK knows). OpenSSL's legacy encrypted PEM ({@code Proc-Type: 4,ENCRYPTED})
 * and other formats are refused with the openssl command that converts them.
 */
final class Pem {
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};
    private static final String CONVERT = "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem' (unencrypted), or "
            + "'openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.pem' (encrypted, with a password)";

    private Pem() {
    }

    /** Every certificate in {@code file}, in order (a chain: the leaf first). */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (byte[] der : blocks(file, read(file), "CERTIFICATE")) {
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

    /**
     * The private key in {@code file}; {@code password} (null: none) decrypts an encrypted PKCS#8
     * key and is ignored for an unencrypted one.
     */
    static PrivateKey privateKey(Path file, char[] password) throws IOException, GeneralSecurityException {
        String text = read(file);
        if (text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new InvalidKeySpecException(file + ": the key is encrypted in OpenSSL's legacy PEM format "
                    + "(Proc-Type: 4,ENCRYPTED), which is not supported; convert it to PKCS#8 with " + CONVERT);
        }
        List<byte[]> b;
        byte[] pkcs8;
        if (!(b = blocks(file, text, "ENCRYPTED PRIVATE KEY")).isEmpty()) {
            if (password == null) {
                throw new InvalidKeySpecException(file + ": the key is encrypted (BEGIN ENCRYPTED PRIVATE KEY) "
                        + "and no password was given");
            }
            pkcs8 = decrypt(file, b.getFirst(), password);
        } else if (!(b = blocks(file, text, "RSA PRIVATE KEY")).isEmpty()) {
            pkcs8 = Der.pkcs8(Der.RSA_ALGORITHM, b.getFirst()); // PKCS#1 RSAPrivateKey
        } else if (!(b = blocks(file, text, "EC PRIVATE KEY")).isEmpty()) {
            try {
                pkcs8 = Der.pkcs8(Der.ecAlgorithm(b.getFirst()), b.getFirst()); // SEC1 ECPrivateKey
            } catch (InvalidKeySpecException e) {
                throw new InvalidKeySpecException(file + ": " + e.getMessage(), e);
            }
        } else if (!(b = blocks(file, text, "PRIVATE KEY")).isEmpty()) {
            pkcs8 = b.getFirst();
        } else if (text.contains("PRIVATE KEY-----")) {
            throw new InvalidKeySpecException(file + ": an unsupported key format ("
                    + text.substring(text.indexOf("-----BEGIN ") + 11, text.indexOf("PRIVATE KEY-----")).strip()
                    + "); convert it to PKCS#8 with " + CONVERT);
        } else {
            throw new InvalidKeySpecException(file + ": no private key ('-----BEGIN PRIVATE KEY-----', "
                    + "'BEGIN RSA PRIVATE KEY', 'BEGIN EC PRIVATE KEY' or 'BEGIN ENCRYPTED PRIVATE KEY')");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException wrongAlgorithm) {
                // try the next one: PKCS#8 names its algorithm, but KeyFactory wants it up front
            }
        }
        throw new InvalidKeySpecException(file + ": not a valid RSA, EC or EdDSA private key");
    }

    /**
     * The PKCS#8 bytes inside an EncryptedPrivateKeyInfo. PBES2 (what {@code openssl pkcs8 -topk8}
     * writes: PBKDF2 and AES) is named by its parameters, e.g. "PBEWithHmacSHA256AndAES_256".
     */
    private static byte[] decrypt(Path file, byte[] der, char[] password) throws GeneralSecurityException {
        EncryptedPrivateKeyInfo info;
        try {
            info = new EncryptedPrivateKeyInfo(der);
        } catch (IOException e) {
            throw new InvalidKeySpecException(file + ": not a valid encrypted PKCS#8 key: " + e.getMessage(), e);
        }
        AlgorithmParameters params = info.getAlgParameters();
        String name = info.getAlgName();
        String scheme = params != null && (name.equals("PBES2") || name.equals("1.2.840.113549.1.5.13")) ? params.toString() : name;
        Cipher cipher;
        try {
            SecretKey key = SecretKeyFactory.getInstance(scheme).generateSecret(new PBEKeySpec(password));
            cipher = Cipher.getInstance(scheme);
            cipher.init(Cipher.DECRYPT_MODE, key, params);
        } catch (GeneralSecurityException e) {
            throw new NoSuchAlgorithmException(file + ": the key is encrypted with " + scheme + ", which this JDK cannot "
                    + "decrypt; re-encrypt it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.pem'", e);
        }
        try {
            return info.getKeySpec(cipher).getEncoded();
        } catch (InvalidKeySpecException e) { // bad padding, or garbage that is not PKCS#8: the password
            throw new InvalidKeySpecException(file + ": wrong password for the encrypted key", e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.ISO_8859_1); // PEM is ASCII; never fail on a stray byte
    }

    /** The DER bytes of every {@code -----BEGIN label-----} block of {@code text}, read from {@code file}. */
    static List<byte[]> blocks(Path file, String text, String label) throws IOException {
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
