package io.pollen.tls;

import java.io.ByteArrayOutputStream;
import java.security.spec.InvalidKeySpecException;

/**
 * The little DER (ITU-T X.690) that {@link Pem} needs to turn the legacy key formats into PKCS#8
 * (RFC 5208) for the JDK's {@link java.security.KeyFactory}: write a tag-length-value, and find the
 * named curve inside a SEC1 EC key. Nothing more; no general ASN.1 here.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** SEC1's {@code parameters [0] EXPLICIT ECParameters}. */
    private static final int CONTEXT_0 = 0xA0;

    /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with its NULL parameters. */
    static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** The OID TLV of id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Der() {
    }

    /** PKCS#8 PrivateKeyInfo: {@code SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }}. */
    static byte[] pkcs8(byte[] algorithmIdentifier, byte[] key) {
        return tlv(SEQUENCE, new byte[]{INTEGER, 1, 0}, algorithmIdentifier, tlv(OCTET_STRING, key));
    }

    /**
     * The AlgorithmIdentifier of a SEC1 {@code ECPrivateKey} ({@code SEQUENCE { INTEGER 1, OCTET
     * STRING, [0] curve OID, [1] public key }}): id-ecPublicKey with the key's named curve.
     */
    static byte[] ecAlgorithm(byte[] sec1) throws InvalidKeySpecException {
        int[] seq = header(sec1, 0);
        if (seq[0] != SEQUENCE) {
            throw new InvalidKeySpecException("not a SEC1 EC private key (no outer SEQUENCE)");
        }
        int end = seq[2] + seq[1];
        for (int at = seq[2]; at < end; ) {
            int[] h = header(sec1, at);
            if (h[0] == CONTEXT_0) {
                int[] oid = header(sec1, h[2]);
                if (oid[0] != OID) {
                    throw new InvalidKeySpecException("the EC key's parameters are explicit, not a named curve");
                }
                byte[] curve = java.util.Arrays.copyOfRange(sec1, h[2], oid[2] + oid[1]);
                return tlv(SEQUENCE, EC_PUBLIC_KEY, curve);
            }
            at = h[2] + h[1];
        }
        throw new InvalidKeySpecException("the EC key does not name its curve (no [0] parameters)");
    }

    /** {@code {tag, length, offset of the value}} of the TLV at {@code at}; definite lengths only. */
    private static int[] header(byte[] d, int at) throws InvalidKeySpecException {
        try {
            int tag = d[at] & 0xff;
            int len = d[at + 1] & 0xff;
            int value = at + 2;
            if (len > 0x80 && len <= 0x84) {
                int n = len - 0x80;
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (d[value++] & 0xff);
                }
            } else if (len >= 0x80) {
                throw new InvalidKeySpecException("unsupported DER length at byte " + at);
            }
            if (len < 0 || value + len > d.length) {
                throw new InvalidKeySpecException("DER value runs past the end at byte " + at);
            }
            return new int[]{tag, len, value};
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new InvalidKeySpecException("truncated DER at byte " + at, e);
        }
    }

    /** A tag-length-value whose value is {@code parts} one after the other. */
    static byte[] tlv(int tag, byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 6);
        out.write(tag);
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
