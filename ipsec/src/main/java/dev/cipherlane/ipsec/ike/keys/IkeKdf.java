package dev.cipherlane.ipsec.ike.keys;

/**
 * The four key-derivation formulas of IKEv2 on plain bytes, as NIST SP 800-135 section 4.1.2
 * (and its CAVP/ACVP tests) names them. {@link IkeKeys} and {@link ChildSaKeys} are built on
 * these; they are public so the known-answer tests can drive each formula alone. Every array
 * returned is fresh: the caller wipes it.
 *
 * <p>With HMAC the whole of Ni | Nr is the key of the first PRF; only PRFs with a fixed key
 * size (AES-XCBC, RFC 7296 section 2.14) would take half of each nonce, and we have none.
 */
public final class IkeKdf {
    private IkeKdf() {}

    /** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 section 2.14). */
    public static byte[] skeyseed(Prf prf, byte[] ni, byte[] nr, byte[] gir) {
        byte[] key = KeyBytes.concat(ni, nr);
        try {
            return prf.apply(key, gir);
        } finally {
            KeyBytes.wipe(key);
        }
    }

    /** {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). */
    public static byte[] ikeKeymat(Prf prf, byte[] skeyseed, byte[] ni, byte[] nr, byte[] spiI, byte[] spiR, int length) {
        return prf.plus(skeyseed, KeyBytes.concat(ni, nr, spiI, spiR), length);
    }

    /**
     * SKEYSEED of a rekeyed IKE SA = prf(SK_d (old), g^ir (new) | Ni | Nr) (RFC 7296 section
     * 2.18), with the old SA's PRF: the rekeying exchange belongs to the old SA.
     */
    public static byte[] rekeySkeyseed(Prf oldPrf, byte[] oldSkD, byte[] girNew, byte[] ni, byte[] nr) {
        return oldPrf.apply(oldSkD, girNew, ni, nr);
    }

    /**
     * CHILD SA KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) (RFC 7296 section 2.17), the
     * shared secret present only when the CREATE_CHILD_SA exchange carried KE payloads.
     *
     * @param girNew null without a fresh Diffie-Hellman exchange
     */
    public static byte[] childKeymat(Prf prf, byte[] skD, byte[] girNew, byte[] ni, byte[] nr, int length) {
        byte[] seed = girNew == null ? KeyBytes.concat(ni, nr) : KeyBytes.concat(girNew, ni, nr);
        try {
            return prf.plus(skD, seed, length);
        } finally {
            KeyBytes.wipe(seed);
        }
    }
}
