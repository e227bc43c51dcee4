package io.pollen.tls;

import io.pollen.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import static org.junit.jupiter.api.Assertions.*;

/** Contexts and engines from PEM files, and the messages of files that cannot be used. */
class TlsContextsTest {
    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void before() throws Exception {
        certs = TestCerts.create(dir);
    }

    @Test
    void rsaAndEcPkcs8KeysLoad() throws Exception {
        assertNotNull(TlsContexts.server(certs.server.cert(), certs.server.key()));
        assertNotNull(TlsContexts.server(certs.serverEc.cert(), certs.serverEc.key()));
        assertTrue(Files.readString(certs.server.key()).contains("BEGIN PRIVATE KEY"), "openssl wrote PKCS#8");
    }
    // every key format and the messages of unusable keys: TlsIdentityTest

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> TlsContexts.server(certs.server.cert(), certs.serverEc.key()));
        assertTrue(e.getMessage().contains("(EC) does not match the certificate of"), e.getMessage());
        Exception noCert = assertThrows(Exception.class, () -> TlsContexts.client(certs.server.key()));
        assertTrue(noCert.getMessage().contains("no '-----BEGIN CERTIFICATE-----' block"), noCert.getMessage());
    }

    @Test
    void serverEnginesAskForClientCertificatesAsTold() throws Exception {
        var ctx = TlsContexts.server(TlsIdentity.load(certs.server.cert(), certs.server.key(), null), certs.ca);
        SSLEngine none = TlsContexts.serverEngine(ctx, "http/1.1");
        assertFalse(none.getNeedClientAuth() || none.getWantClientAuth());
        SSLEngine want = TlsContexts.serverEngine(ctx, ClientAuth.REQUEST, "http/1.1");
        assertTrue(want.getWantClientAuth() && !want.getNeedClientAuth());
        assertArrayEquals(new String[]{"http/1.1"}, want.getSSLParameters().getApplicationProtocols());
        SSLEngine need = TlsContexts.serverEngine(ctx, ClientAuth.REQUIRE);
        assertTrue(need.getNeedClientAuth());
    }

    @Test
    void clientEnginesVerifyTheHostAndSendSniOnlyForNames() throws Exception {
        SSLEngine named = TlsContexts.clientEngine(TlsContexts.client(certs.ca), "localhost", 443, "http/1.1");
        assertEquals("HTTPS", named.getSSLParameters().getEndpointIdentificationAlgorithm());
        assertEquals(1, named.getSSLParameters().getServerNames().size());
        assertArrayEquals(new String[]{"http/1.1"}, named.getSSLParameters().getApplicationProtocols());
        SSLEngine literal = TlsContexts.clientEngine(TlsContexts.client(), "[::1]", 443);
        assertEquals("::1", literal.getPeerHost());
        assertTrue(literal.getSSLParameters().getServerNames() == null || literal.getSSLParameters().getServerNames().isEmpty());
    }

}
