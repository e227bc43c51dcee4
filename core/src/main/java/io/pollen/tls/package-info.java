/**
 * TLS on Pollen's sockets through the JDK's {@link javax.net.ssl.SSLEngine}: {@link io.pollen.tls.TlsStream}
 * (futures, on an {@link io.pollen.runtime.AsyncTcpStream}), {@link io.pollen.tls.TlsChannel}
 * (readiness-driven, on a {@link io.pollen.net.TcpStream}), and {@link io.pollen.tls.TlsContexts}
 * (contexts and engines from PEM files and the JDK's trust store; {@link io.pollen.tls.TlsIdentity}
 * for a certificate chain and its key in the usual PEM key formats, {@link io.pollen.tls.ClientAuth}
 * for mutual TLS). Record buffers come from a {@link io.pollen.tls.TlsBuffers} (typically the loop's
 * pool) only while bytes are in flight, so idle connections hold none. No provider beyond the JDK's.
 */
package io.pollen.tls;
