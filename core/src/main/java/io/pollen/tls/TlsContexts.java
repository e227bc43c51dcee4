package io.pollen.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Ready-made {@link SSLContext}s and engines from PEM files, with the JDK's providers only.
 *
 * <ul>
 *   <li>{@link #client()}: the JDK's default trust store ({@code cacerts}); {@link #client(Path)}:
 *       the CA certificates of a PEM file instead (curl's {@code --cacert}); {@link #insecureClient()}:
 *       no check at all (curl's {@code -k}). Their certificate failures read "unknown CA: ...",
 *       "certificate expired: ...", "certificate for a.example does not match b.example".</li>
 *   <li>{@link #server(Path, Path)}: a certificate chain (PEM, leaf first) and its unencrypted
 *       PKCS#8 key ({@code BEGIN PRIVATE KEY}, RSA, EC or EdDSA).</li>
 *   <li>{@link #clientEngine}: host name verification ({@code HTTPS} endpoint identification), SNI
 *       for names (not for IP literals), ALPN offers. {@link #serverEngine}: ALPN choices.</li>
 * </ul>
 * TLS 1.3 and 1.2 are enabled, as the JDK enables them by default.
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** A client context trusting the JDK's default CAs. */
    public static SSLContext client() throws GeneralSecurityException {
        return clientTrusting(null);
    }

    /** A client context trusting only the CA certificates in {@code caPem}. */
    public static SSLContext client(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        int i = 0;
        for (X509Certificate c : Pem.certificates(caPem)) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        return clientTrusting(ks);
    }

    /** A client context that trusts every certificate and checks no host name. Tests only. */
    public static SSLContext insecureClient() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new ExplainingTrustManager(null)}, null);
        return ctx;
    }

    private static SSLContext clientTrusting(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        X509ExtendedTrustManager pkix = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                pkix = x;
                break;
            }
        }
        if (pkix == null) {
            throw new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager");
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new ExplainingTrustManager(pkix)}, null);
        return ctx;
    }

    /** A server context presenting the chain of {@code certPem} with the key of {@code keyPem}. */
    public static SSLContext server(Path certPem, Path keyPem) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = Pem.certificates(certPem);
        PrivateKey key = Pem.privateKey(keyPem);
        if (!chain.getFirst().getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new GeneralSecurityException(keyPem + " holds a " + key.getAlgorithm() + " key but the certificate of "
                    + certPem + " is for a " + chain.getFirst().getPublicKey().getAlgorithm() + " key");
        }
        char[] password = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        ks.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /**
     * A client engine for {@code host}: its certificate must name {@code host} (HTTPS rules), the
     * host is sent as SNI unless it is an IP literal, and ALPN offers {@code protocols} (none if
     * empty).
     */
    public static SSLEngine clientEngine(SSLContext ctx, String host, int port, String... protocols) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        SSLEngine e = ctx.createSSLEngine(h, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isLiteral(h)) {
            try {
                p.setServerNames(List.of(new SNIHostName(h)));
            } catch (IllegalArgumentException notAnSniName) {
                // a name SNI cannot carry (a trailing dot, an underscore): send none
            }
        }
        if (protocols.length > 0) {
            p.setApplicationProtocols(protocols);
        }
        e.setSSLParameters(p);
        return e;
    }

    /** A server engine; ALPN picks from {@code protocols} (none if empty) what the client offers. */
    public static SSLEngine serverEngine(SSLContext ctx, String... protocols) {
        SSLEngine e = ctx.createSSLEngine();
        e.setUseClientMode(false);
        if (protocols.length > 0) {
            SSLParameters p = e.getSSLParameters();
            p.setApplicationProtocols(protocols);
            e.setSSLParameters(p);
        }
        return e;
    }

    private static boolean isLiteral(String host) {
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }
}
