package io.pollen.tls;

import io.pollen.testing.TestCerts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link TlsIdentity#load}: every key format openssl writes (converted at test time from the test
 * certificates' keys), encrypted keys with the right and the wrong password, and the messages of
 * keys that cannot be used.
 */
class TlsIdentityTest {
    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void before() throws Exception {
        certs = TestCerts.create(dir);
    }

    private static Path converted(String name, String... args) throws Exception {
        certs.openssl(args);
        return dir.resolve(name);
    }

    private static void assertLoads(Path cert, Path key, String password, String header) throws Exception {
        assertTrue(Files.readString(key).contains(header), "openssl wrote " + header + ": " + Files.readString(key));
        TlsIdentity id = TlsIdentity.load(cert, key, password == null ? null : password.toCharArray());
        assertEquals(Pem.certificates(cert).getFirst(), id.chain().getFirst());
        assertNotNull(TlsContexts.server(id, null));
    }

    private static String failure(Path cert, Path key, String password) {
        Exception e = assertThrows(GeneralSecurityException.class,
                () -> TlsIdentity.load(cert, key, password == null ? null : password.toCharArray()));
        return e.getMessage();
    }

    @Test
    void pkcs8KeysLoad() throws Exception {
        assertLoads(certs.server.cert(), certs.server.key(), null, "BEGIN PRIVATE KEY");
        assertLoads(certs.serverEc.cert(), certs.serverEc.key(), "ignored for a plain key", "BEGIN PRIVATE KEY");
    }

    @Test
    void pkcs1RsaKeyLoads() throws Exception {
        Path key = converted("rsa1.key", "rsa", "-in", "server.key", "-traditional", "-out", "rsa1.key");
        assertLoads(certs.server.cert(), key, null, "BEGIN RSA PRIVATE KEY");
    }

    @Test
    void sec1EcKeyLoadsWithAndWithoutItsParametersBlock() throws Exception {
        Path key = converted("ec1.key", "ec", "-in", "server-ec.key", "-out", "ec1.key");
        assertLoads(certs.serverEc.cert(), key, null, "BEGIN EC PRIVATE KEY");
        // 'openssl ecparam -genkey' writes an EC PARAMETERS block first
        Path withParams = converted("ecp.key", "ecparam", "-name", "secp384r1", "-genkey", "-out", "ecp.key");
        Path cert = converted("ecp.pem", "req", "-x509", "-key", "ecp.key", "-out", "ecp.pem", "-days", "1", "-subj", "/CN=ecp");
        assertTrue(Files.readString(withParams).contains("BEGIN EC PARAMETERS"));
        assertLoads(cert, withParams, null, "BEGIN EC PRIVATE KEY");
    }

    @Test
    void ed25519KeyLoads() throws Exception {
        Path key = converted("ed.key", "genpkey", "-algorithm", "ed25519", "-out", "ed.key");
        Path cert = converted("ed.pem", "req", "-x509", "-key", "ed.key", "-out", "ed.pem", "-days", "1", "-subj", "/CN=ed");
        assertLoads(cert, key, null, "BEGIN PRIVATE KEY");
    }

    @Test
    void encryptedPkcs8KeysLoadWithTheirPassword() throws Exception {
        Path pbes2 = converted("enc.key", "pkcs8", "-topk8", "-in", "server-ec.key", "-out", "enc.key", "-passout", "pass:s3cret");
        assertLoads(certs.serverEc.cert(), pbes2, "s3cret", "BEGIN ENCRYPTED PRIVATE KEY");
        Path rsa = converted("enc-rsa.key", "pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512",
                "-in", "server.key", "-out", "enc-rsa.key", "-passout", "pass:other pass");
        assertLoads(certs.server.cert(), rsa, "other pass", "BEGIN ENCRYPTED PRIVATE KEY");
        Path pbes1 = converted("enc-v1.key", "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", "server-ec.key",
                "-out", "enc-v1.key", "-passout", "pass:s3cret");
        assertLoads(certs.serverEc.cert(), pbes1, "s3cret", "BEGIN ENCRYPTED PRIVATE KEY");
    }

    @Test
    void aWrongOrMissingPasswordSaysSo() throws Exception {
        Path key = converted("enc2.key", "pkcs8", "-topk8", "-in", "server-ec.key", "-out", "enc2.key", "-passout", "pass:s3cret");
        for (String wrong : new String[]{"S3cret", "", "s3cret!", "another", "x"}) {
            assertTrue(failure(certs.serverEc.cert(), key, wrong).endsWith("enc2.key: wrong password for the encrypted key"));
        }
        assertTrue(failure(certs.serverEc.cert(), key, null).contains("the key is encrypted (BEGIN ENCRYPTED PRIVATE KEY) and no password was given"));
    }

    @Test
    void legacyEncryptedPemIsRefusedWithTheCommandThatConverts() throws Exception {
        Path key = converted("legacy.key", "rsa", "-in", "server.key", "-traditional", "-aes256", "-passout", "pass:s3cret",
                "-out", "legacy.key");
        assertTrue(Files.readString(key).contains("Proc-Type: 4,ENCRYPTED"));
        String m = failure(certs.server.cert(), key, "s3cret");
        assertTrue(m.contains("legacy PEM format (Proc-Type: 4,ENCRYPTED), which is not supported"), m);
        assertTrue(m.contains("'openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.pem'"), m);
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        Path otherRsa = converted("other-rsa.key", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other-rsa.key");
        assertTrue(failure(certs.server.cert(), otherRsa, null).contains("does not match the certificate of"));
        String ec = failure(certs.serverEc.cert(), certs.wrongHost.key(), null);
        assertTrue(ec.contains("wrong.key (EC) does not match the certificate of") && ec.contains("CN=localhost"), ec);
        assertTrue(failure(certs.server.cert(), certs.serverEc.key(), null).contains("(EC) does not match"));
    }

    @Test
    void unusableKeyFilesSayWhatIsWrong() throws Exception {
        Path dsa = Files.writeString(dir.resolve("dsa.key"), "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n");
        assertTrue(failure(certs.server.cert(), dsa, null).contains("an unsupported key format (DSA); convert it to PKCS#8 with 'openssl pkcs8 -topk8 -nocrypt"));
        Path none = Files.writeString(dir.resolve("none.key"), "hello\n");
        assertTrue(failure(certs.server.cert(), none, null).contains("no private key ('-----BEGIN PRIVATE KEY-----'"));
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "-----BEGIN RSA PRIVATE KEY-----\nMIIBAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertTrue(failure(certs.server.cert(), garbage, null).contains("garbage.key: not a valid RSA, EC or EdDSA private key"));
        Path ecGarbage = Files.writeString(dir.resolve("ecg.key"), "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n");
        assertTrue(failure(certs.server.cert(), ecGarbage, null).contains("ecg.key: the EC key does not name its curve"));
        Path encGarbage = Files.writeString(dir.resolve("encg.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertTrue(failure(certs.server.cert(), encGarbage, "pw").contains("encg.key: not a valid encrypted PKCS#8 key"));
    }
}
