package io.pollen.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A server-certificate check that says what went wrong: the JDK's PKIX trust manager decides,
 * this one rewrites its messages ("PKIX path building failed: ... unable to find valid
 * certification path to requested target") into "unknown CA: ...", "certificate expired: ...",
 * "certificate for wrong.host does not match localhost". The original exception stays the cause.
 * The message is what {@link javax.net.ssl.SSLHandshakeException#getMessage()} then shows.
 *
 * <p>When {@code trustAll}, every certificate is accepted and no host name is checked (curl's
 * {@code --insecure}): for tests and debugging only.
 */
final class ExplainingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    /** {@code delegate} null: trust everything. */
    ExplainingTrustManager(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (delegate == null) {
            return;
        }
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw explain(e, chain, engine == null ? null : engine.getPeerHost());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (delegate == null) {
            return;
        }
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw explain(e, chain, socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostName());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (delegate == null) {
            return;
        }
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw explain(e, chain, null);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (delegate != null) {
            try {
                delegate.checkClientTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw explainClient(e, chain);
            }
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (delegate != null) {
            try {
                delegate.checkClientTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw explainClient(e, chain);
            }
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (delegate != null) {
            try {
                delegate.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                throw explainClient(e, chain);
            }
        }
    }

    /** A client's certificate refused (mutual TLS): "client certificate not trusted: ...". Never throws. */
    static CertificateException explainClient(CertificateException e, X509Certificate[] chain) {
        CertificateException explained = explain(e, chain, null);
        return new CertificateException("client certificate not trusted: " + explained.getMessage(), e);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
    }

    /** The same failure with a message that names the cause; never throws. */
    static CertificateException explain(CertificateException e, X509Certificate[] chain, String host) {
        try {
            X509Certificate leaf = chain != null && chain.length > 0 ? chain[0] : null;
            String message = message(e, leaf, host);
            return message == null ? e : new CertificateException(message, e);
        } catch (RuntimeException describing) {
            return e; // an error path must not throw: keep the JDK's words
        }
    }

    private static String message(CertificateException e, X509Certificate leaf, String host) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException
                    || t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "certificate expired: " + (leaf == null ? "the server's certificate"
                        : subject(leaf) + " was valid until " + leaf.getNotAfter().toInstant());
            }
            if (t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return "certificate not yet valid: " + (leaf == null ? "the server's certificate"
                        : subject(leaf) + " is valid from " + leaf.getNotBefore().toInstant());
            }
            if (t instanceof CertPathBuilderException || String.valueOf(t.getMessage()).contains("unable to find valid certification path")) {
                return "unknown CA: " + (leaf == null ? "the server's certificate is not signed by a trusted authority"
                        : subject(leaf) + " is issued by " + leaf.getIssuerX500Principal().getName()
                        + ", which is not a trusted authority");
            }
        }
        String m = String.valueOf(e.getMessage());
        if (leaf != null && (m.startsWith("No subject alternative") || m.startsWith("No name matching"))) {
            return "certificate for " + String.join(", ", names(leaf)) + " does not match " + (host == null ? "the host" : host);
        }
        return null;
    }

    private static String subject(X509Certificate c) {
        List<String> names = names(c);
        return "the certificate of " + (names.isEmpty() ? c.getSubjectX500Principal().getName() : names.getFirst());
    }

    /** The DNS names and IP addresses of the subject alternative names, else the subject. */
    static List<String> names(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    Object type = san.get(0);
                    if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) { // dNSName, iPAddress
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException ignored) {
            // fall back to the subject
        }
        if (out.isEmpty()) {
            out.add(c.getSubjectX500Principal().getName());
        }
        return out;
    }
}
