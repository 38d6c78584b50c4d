package dev.cipherlane.ipsec.keys;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Keying material of one ESP AES-GCM-256 SA: the 32-byte AES key followed by the 4-byte
 * salt, 36 bytes in all (RFC 4106 section 8.1). The bytes never leave this object except
 * through {@link #copyKey}/{@link #copySalt}, which hand out copies the caller should wipe;
 * {@link #toString} shows the fingerprint only, so key material cannot end up in a log, an
 * exception message or {@code show} output by accident.
 */
public final class KeyMaterial {
    public static final int KEY_BYTES = 32;
    public static final int SALT_BYTES = 4;
    /** Key then salt: the length RFC 4106 section 8.1 asks of the key exchange or key file. */
    public static final int LENGTH = KEY_BYTES + SALT_BYTES;

    private final byte[] bytes;
    private final KeyFingerprint fingerprint;

    private KeyMaterial(byte[] bytes) {
        this.bytes = bytes;
        this.fingerprint = KeyFingerprint.of(bytes);
    }

    /** Takes a copy of {@code keyThenSalt} (exactly {@link #LENGTH} bytes); the caller may wipe its array. */
    public static KeyMaterial of(byte[] keyThenSalt) {
        if (keyThenSalt.length != LENGTH) {
            throw new IllegalArgumentException("AES-GCM-256 key material is " + LENGTH
                    + " bytes (32-byte key, 4-byte salt), got " + keyThenSalt.length);
        }
        return new KeyMaterial(keyThenSalt.clone());
    }

    /** A non-secret name for this material: equal material, equal fingerprint. */
    public KeyFingerprint fingerprint() {
        return fingerprint;
    }

    /** A copy of the 32-byte AES-256 key. */
    public byte[] copyKey() {
        return Arrays.copyOfRange(bytes, 0, KEY_BYTES);
    }

    /** A copy of the 4-byte salt, the implicit part of the GCM nonce (RFC 4106 section 4). */
    public byte[] copySalt() {
        return Arrays.copyOfRange(bytes, KEY_BYTES, LENGTH);
    }

    /** Whether both hold the same bytes, compared in constant time. */
    public boolean sameAs(KeyMaterial other) {
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    boolean isAllZero() {
        int or = 0;
        for (byte b : bytes) {
            or |= b;
        }
        return or == 0;
    }

    /** Overwrites the bytes with zeros; the object is useless afterwards. */
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public String toString() {
        return "key " + fingerprint;
    }
}
