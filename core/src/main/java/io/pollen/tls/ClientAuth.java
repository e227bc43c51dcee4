package io.pollen.tls;

/**
 * Whether a TLS server asks its clients for a certificate (mutual TLS); see
 * {@link TlsContexts#serverEngine(javax.net.ssl.SSLContext, ClientAuth, String...)}. The
 * certificates are checked against the server context's trust (e.g.
 * {@link TlsContexts#server(TlsIdentity, java.nio.file.Path)}'s client CA file).
 */
public enum ClientAuth {
    /** No client certificate is asked for. */
    NONE,
    /**
     * One is asked for ({@link javax.net.ssl.SSLParameters#setWantClientAuth}): a client without one
     * is served, a client whose certificate is not trusted fails the handshake.
     */
    REQUEST,
    /**
     * One is required ({@link javax.net.ssl.SSLParameters#setNeedClientAuth}): a client without a
     * trusted certificate fails the handshake.
     */
    REQUIRE
}
