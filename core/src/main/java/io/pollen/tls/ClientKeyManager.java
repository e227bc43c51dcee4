package io.pollen.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A client context's key manager (with or without a certificate of its own) that remembers, per
 * engine, whether the server asked for a client certificate and whether one was sent: the JDK
 * calls {@link #chooseEngineClientAlias} only when a CertificateRequest arrives. So a fatal alert
 * from the server can be told apart afterwards ({@link LoopRelay#readable(Throwable, SSLEngine)}):
 * TLS 1.2's generic {@code handshake_failure} after a request answered with no certificate means
 * "the server requires a client certificate". Engines are held weakly.
 */
final class ClientKeyManager extends X509ExtendedKeyManager {
    /** Engine → whether a certificate was sent; absent when none was asked for. */
    private static final Map<SSLEngine, Boolean> SENT = Collections.synchronizedMap(new WeakHashMap<>());

    private final X509ExtendedKeyManager delegate;

    /** {@code delegate} null: no certificate to offer. */
    ClientKeyManager(X509ExtendedKeyManager delegate) {
        this.delegate = delegate;
    }

    /** TRUE: a certificate was sent; FALSE: one was asked for and none sent; null: none asked for. */
    static Boolean certificateSent(SSLEngine engine) {
        return SENT.get(engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        String alias = delegate == null ? null : delegate.chooseEngineClientAlias(keyType, issuers, engine);
        if (engine != null) {
            SENT.put(engine, alias != null);
        }
        return alias;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate == null ? null : delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return delegate == null ? null : delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null; // a client's: nothing to serve with
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate == null ? null : delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate == null ? null : delegate.getPrivateKey(alias);
    }
}
