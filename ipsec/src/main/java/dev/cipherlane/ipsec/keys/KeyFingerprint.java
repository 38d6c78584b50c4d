package dev.cipherlane.ipsec.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A name for key material that does not reveal it: the first 8 bytes of
 * SHA-256(label ‖ 0x00 ‖ key ‖ salt). The label keeps this hash apart from any other use
 * of SHA-256 over the same bytes, and 64 bits are plenty to tell a node's keys apart (a
 * collision would only make two SAs share one sequence state file, which the store
 * refuses). It names sequence state files and appears in {@code show sa}.
 */
public record KeyFingerprint(long value) {
    static final byte[] LABEL = "cipherlane esp key fingerprint v1".getBytes(StandardCharsets.US_ASCII);

    static KeyFingerprint of(byte[] material) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every JDK must provide SHA-256 (java.security.MessageDigest specification).
            throw new IllegalStateException(e);
        }
        sha.update(LABEL);
        sha.update((byte) 0);
        sha.update(material);
        byte[] digest = sha.digest();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (digest[i] & 0xff);
        }
        return new KeyFingerprint(v);
    }

    /** Parses the 16 lower-case hex digits {@link #hex} gives; null if {@code s} is not that. */
    public static KeyFingerprint parse(String s) {
        if (s.length() != 16) {
            return null;
        }
        for (int i = 0; i < 16; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        return new KeyFingerprint(HexFormat.fromHexDigitsToLong(s));
    }

    /** 16 lower-case hex digits. */
    public String hex() {
        return HexFormat.of().toHexDigits(value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
