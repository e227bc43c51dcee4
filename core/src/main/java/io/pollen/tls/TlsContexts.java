package io.pollen.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Ready-made {@link SSLContext}s and engines from PEM files, with the JDK's providers only.
 *
 * <ul>
 *   <li>{@link #client()}: the JDK's default trust store ({@code cacerts}); {@link #client(Path)}:
 *       the CA certificates of a PEM file instead (curl's {@code --cacert}); {@link #insecureClient()}:
 *       no check at all (curl's {@code -k}). Their certificate failures read "unknown CA: ...",
 *       "certificate expired: ...", "certificate for a.example does not match b.example".
 *       {@link #client(Path, TlsIdentity)} and {@link #insecureClient(TlsIdentity)} also present a
 *       client certificate (mutual TLS, curl's {@code --cert/--key}).</li>
 *   <li>{@link #server(Path, Path)}: a certificate chain (PEM, leaf first) and its key (see
 *       {@link TlsIdentity#load} for the key formats). {@link #server(TlsIdentity, Path)}: also the
 *       CA certificates that client certificates must chain to (mutual TLS).</li>
 *   <li>{@link #clientEngine}: host name verification ({@code HTTPS} endpoint identification), SNI
 *       for names (not for IP literals), ALPN offers. {@link #serverEngine}: ALPN choices, and
 *       whether client certificates are requested or required ({@link ClientAuth}).</li>
 * </ul>
 * TLS 1.3 and 1.2 are enabled, as the JDK enables them by default. A client whose certificate the
 * server refuses fails with "the server requires a client certificate (none was sent: ...)" (a
 * client sends its certificate only if the server names its issuer among the CAs it accepts) or
 * "client certificate not trusted by the server (alert: ...)"; on the server side, the handshake
 * fails with "client certificate not trusted: ..." or the JDK's "Empty client certificate chain".
 */
public final class TlsContexts {
    private TlsContexts() {
    }

    /** A client context trusting the JDK's default CAs. */
    public static SSLContext client() throws GeneralSecurityException {
        return context(null, trusting(null), true);
    }

    /** A client context trusting only the CA certificates in {@code caPem}. */
    public static SSLContext client(Path caPem) throws IOException, GeneralSecurityException {
        return client(caPem, null);
    }

    /**
     * A client context trusting the CA certificates in {@code caPem} (null: the JDK's default CAs)
     * and presenting {@code identity} to servers that ask for a certificate (null: none).
     */
    public static SSLContext client(Path caPem, TlsIdentity identity) throws IOException, GeneralSecurityException {
        return context(identity, trusting(caPem == null ? null : caStore(caPem)), true);
    }

    /** A client context that trusts every certificate and checks no host name. Tests only. */
    public static SSLContext insecureClient() throws GeneralSecurityException {
        return insecureClient(null);
    }

    /** Like {@link #insecureClient()}, presenting {@code identity} (null: none) when asked. Tests only. */
    public static SSLContext insecureClient(TlsIdentity identity) throws GeneralSecurityException {
        return context(identity, new ExplainingTrustManager(null), true);
    }

    /** A server context presenting the chain of {@code certPem} with the key of {@code keyPem}. */
    public static SSLContext server(Path certPem, Path keyPem) throws IOException, GeneralSecurityException {
        return server(TlsIdentity.load(certPem, keyPem, null), null);
    }

    /**
     * A server context presenting {@code identity}; client certificates, when the engine asks for
     * them ({@link #serverEngine(SSLContext, ClientAuth, String...)}), must chain to a CA of
     * {@code clientCaPem} (null: to one of the JDK's default CAs).
     */
    public static SSLContext server(TlsIdentity identity, Path clientCaPem) throws IOException, GeneralSecurityException {
        return context(java.util.Objects.requireNonNull(identity, "identity"),
                trusting(clientCaPem == null ? null : caStore(clientCaPem)), false);
    }

    /** A key store holding the CA certificates of {@code caPem}. */
    private static KeyStore caStore(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore ks = emptyStore();
        int i = 0;
        for (X509Certificate c : Pem.certificates(caPem)) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        return ks;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        return ks;
    }

    /** PKIX trust in {@code trusted} (null: the JDK's cacerts), with messages that name the cause. */
    private static TrustManager trusting(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new ExplainingTrustManager(x);
            }
        }
        throw new GeneralSecurityException("the JDK offers no X509ExtendedTrustManager");
    }

    /** A context with {@code identity}'s key (null: none); a client's remembers what the server asked. */
    private static SSLContext context(TlsIdentity identity, TrustManager trust, boolean client) throws GeneralSecurityException {
        X509ExtendedKeyManager keys = null;
        if (identity != null) {
            char[] password = new char[0];
            KeyStore ks = emptyStore();
            ks.setKeyEntry("identity", identity.key(), password, identity.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            for (KeyManager km : kmf.getKeyManagers()) {
                if (km instanceof X509ExtendedKeyManager x) {
                    keys = x;
                    break;
                }
            }
            if (keys == null) {
                throw new GeneralSecurityException("the JDK offers no X509ExtendedKeyManager");
            }
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManager km = client ? new ClientKeyManager(keys) : keys;
        ctx.init(km == null ? null : new KeyManager[]{km}, new TrustManager[]{trust}, null);
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
        return serverEngine(ctx, ClientAuth.NONE, protocols);
    }

    /**
     * A server engine that asks for client certificates as {@code clientAuth} says (checked against
     * the context's trust, see {@link #server(TlsIdentity, Path)}); ALPN as above.
     */
    public static SSLEngine serverEngine(SSLContext ctx, ClientAuth clientAuth, String... protocols) {
        SSLEngine e = ctx.createSSLEngine();
        e.setUseClientMode(false);
        if (protocols.length > 0 || clientAuth != ClientAuth.NONE) {
            SSLParameters p = e.getSSLParameters();
            if (protocols.length > 0) {
                p.setApplicationProtocols(protocols);
            }
            if (clientAuth == ClientAuth.REQUIRE) {
                p.setNeedClientAuth(true);
            } else if (clientAuth == ClientAuth.REQUEST) {
                p.setWantClientAuth(true);
            }
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
