package io.pollen.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.InvalidKeySpecException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate chain and its private key: what a server presents, or a client for mutual TLS
 * ({@link TlsContexts#server(TlsIdentity, Path)}, {@link TlsContexts#client(Path, TlsIdentity)}).
 *
 * <p>{@link #load} reads PEM files: the chain leaf first ({@code BEGIN CERTIFICATE} blocks), and
 * the key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}),
 * SEC1 ({@code BEGIN EC PRIVATE KEY}) or encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}, with
 * its password); RSA, EC and EdDSA keys. It refuses, naming the file and the cause: a wrong
 * password, OpenSSL's legacy encrypted PEM ({@code Proc-Type: 4,ENCRYPTED}, with the openssl
 * command that converts it), and a key that does not belong to the certificate.
 *
 * @param chain the certificate chain, leaf first, not empty
 * @param key   the leaf certificate's private key
 */
public record TlsIdentity(List<X509Certificate> chain, PrivateKey key) {
    public TlsIdentity {
        chain = List.copyOf(chain);
        Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an empty certificate chain");
        }
    }

    /**
     * Reads {@code certPem} and {@code keyPem}; {@code password} (null: none) decrypts an encrypted
     * key. Checks that the key belongs to the chain's first certificate.
     */
    public static TlsIdentity load(Path certPem, Path keyPem, char[] password) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = Pem.certificates(certPem);
        PrivateKey key = Pem.privateKey(keyPem, password);
        PublicKey pub = chain.getFirst().getPublicKey();
        if (!matches(key, pub)) {
            throw new InvalidKeySpecException("the key of " + keyPem + " (" + key.getAlgorithm() + ") does not match the "
                    + "certificate of " + certPem + " (" + chain.getFirst().getSubjectX500Principal().getName() + ", "
                    + pub.getAlgorithm() + " key)");
        }
        return new TlsIdentity(chain, key);
    }

    /** Whether {@code key} is the private half of {@code pub}: same modulus (RSA), else a signature check. */
    private static boolean matches(PrivateKey key, PublicKey pub) throws GeneralSecurityException {
        if (key instanceof RSAKey k && pub instanceof RSAKey p) {
            return k.getModulus().equals(p.getModulus());
        }
        if (key instanceof RSAKey || pub instanceof RSAKey) {
            return false;
        }
        String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm().startsWith("Ed") ? "EdDSA" : null;
        if (alg == null) {
            return key.getAlgorithm().equals(pub.getAlgorithm()); // no signature to check it with: the type at least
        }
        byte[] probe = "pollen key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (java.security.InvalidKeyException | java.security.SignatureException differentCurveOrType) {
            return false;
        }
    }
}
