package dev.cipherlane.ipsec.ike.keys;

import java.util.Optional;

/**
 * The encryption and integrity transforms of an IKE SA that this package can key and run,
 * with the key lengths prf+ must give them (RFC 7296 section 2.14). The PRF is chosen
 * separately ({@link Prf}).
 */
public enum IkeSuite {
    /**
     * ENCR_AES_GCM_16 (20) with a 256-bit key and no integrity transform: SK_ei and SK_er are
     * 32 key bytes then a 4-byte salt, SK_ai and SK_ar are empty (RFC 5282 section 7).
     */
    AES_GCM_16_256(20, 256, 0, 32, 4, 0),
    /**
     * ENCR_AES_CBC (12) with a 256-bit key, AUTH_HMAC_SHA2_256_128 (12): 32-byte encryption
     * keys and 32-byte integrity keys (RFC 4868 section 2.1.2), a 16-byte ICV.
     */
    AES_CBC_256_HMAC_SHA2_256_128(12, 256, 12, 32, 0, 32);

    /** IANA "Transform Type 3" value meaning no integrity transform. */
    public static final int INTEG_NONE = 0;

    private final int encryptionId;
    private final int keyBits;
    private final int integrityId;
    private final int cipherKeyLength;
    private final int saltLength;
    private final int integrityKeyLength;

    IkeSuite(int encryptionId, int keyBits, int integrityId, int cipherKeyLength, int saltLength, int integrityKeyLength) {
        this.encryptionId = encryptionId;
        this.keyBits = keyBits;
        this.integrityId = integrityId;
        this.cipherKeyLength = cipherKeyLength;
        this.saltLength = saltLength;
        this.integrityKeyLength = integrityKeyLength;
    }

    /**
     * The suite for a negotiated ENCR transform id, its Key Length attribute in bits and the
     * INTEG transform id ({@link #INTEG_NONE} when the proposal had none). AES-GCM with an
     * integrity transform is refused (RFC 5282 section 8: none may be proposed with it).
     */
    public static Optional<IkeSuite> find(int encryptionId, int keyBits, int integrityId) {
        for (IkeSuite s : values()) {
            if (s.encryptionId == encryptionId && s.keyBits == keyBits && s.integrityId == integrityId) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public int encryptionId() {
        return encryptionId;
    }

    public int keyBits() {
        return keyBits;
    }

    public int integrityId() {
        return integrityId;
    }

    public boolean isAead() {
        return integrityId == INTEG_NONE;
    }

    /** The AES key alone. */
    public int cipherKeyLength() {
        return cipherKeyLength;
    }

    /** The implicit nonce part that follows the key in SK_e (AEAD only, else 0). */
    public int saltLength() {
        return saltLength;
    }

    /** Length of SK_ei and SK_er: key plus salt. */
    public int encryptionKeyLength() {
        return cipherKeyLength + saltLength;
    }

    /** Length of SK_ai and SK_ar; 0 for AEAD. */
    public int integrityKeyLength() {
        return integrityKeyLength;
    }
}
