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

    @Test
    void unusableKeyFilesSayWhatToDo() throws Exception {
        Path legacy = Files.writeString(dir.resolve("legacy.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertMessage(legacy, "legacy format; convert it to PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt");
        Path encrypted = Files.writeString(dir.resolve("enc.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertMessage(encrypted, "encrypted keys are not supported");
        Path none = Files.writeString(dir.resolve("none.key"), "hello\n");
        assertMessage(none, "no '-----BEGIN PRIVATE KEY-----' block");
        Path notAKey = Files.writeString(dir.resolve("bad.key"), "-----BEGIN PRIVATE KEY-----\nMIIBAAAA\n-----END PRIVATE KEY-----\n");
        assertMessage(notAKey, "bad.key: not an RSA, EC or EdDSA PKCS#8 private key");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> TlsContexts.server(certs.server.cert(), certs.serverEc.key()));
        assertTrue(e.getMessage().contains("holds a EC key but the certificate"), e.getMessage());
        Exception noCert = assertThrows(Exception.class, () -> TlsContexts.client(certs.server.key()));
        assertTrue(noCert.getMessage().contains("no '-----BEGIN CERTIFICATE-----' block"), noCert.getMessage());
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

    private static void assertMessage(Path key, String expected) {
        Exception e = assertThrows(Exception.class, () -> TlsContexts.server(certs.server.cert(), key));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
