package dev.cipherlane.ipsec.ike.keys;

import java.util.Arrays;

/**
 * The seven keys of one IKE SA (RFC 7296 section 2.14), cut from prf+ output at the lengths
 * the negotiated suite and PRF ask for. Made once per IKE SA by {@link #derive} from
 * IKE_SA_INIT, or by {@link #rekey} from the old SA's SK_d in a CREATE_CHILD_SA that rekeys
 * the IKE SA (section 2.18).
 *
 * <p>The keys never leave except as copies ({@link #copyOf}); {@link #destroy} zeroes them;
 * printing shows the suite only.
 */
public final class IkeKeys {
    /** RFC 7296 section 3.1: each IKE SPI is 8 octets. */
    public static final int SPI_LENGTH = 8;
    /** RFC 7296 section 2.10: a nonce is 16 to 256 octets. */
    public static final int MIN_NONCE_LENGTH = 16;
    public static final int MAX_NONCE_LENGTH = 256;

    private final IkeSuite suite;
    private final Prf prf;
    private final byte[][] keys;
    private boolean destroyed;

    private IkeKeys(IkeSuite suite, Prf prf, byte[][] keys) {
        this.suite = suite;
        this.prf = prf;
        this.keys = keys;
    }

    /**
     * Keys of a new IKE SA from IKE_SA_INIT. The nonces are the Nonce payloads' data and the SPIs
     * the header's 8-byte fields, initiator's first whatever our role. {@code gir} is left for
     * the caller to destroy once every key that needs it is made.
     *
     * @throws IllegalArgumentException if a nonce or SPI has a length RFC 7296 does not allow
     *     (the engine checks the payloads before it gets here)
     */
    public static IkeKeys derive(IkeSuite suite, Prf prf, SharedSecret gir, byte[] ni, byte[] nr, byte[] spiI, byte[] spiR) {
        checkInputs(ni, nr, spiI, spiR);
        byte[] skeyseed = IkeKdf.skeyseed(prf, ni, nr, gir.bytes());
        try {
            return expand(suite, prf, skeyseed, ni, nr, spiI, spiR);
        } finally {
            KeyBytes.wipe(skeyseed);
        }
    }

    /**
     * Keys of the IKE SA that replaces this one (RFC 7296 section 2.18): SKEYSEED from this
     * SA's SK_d and PRF, then prf+ with the new SA's PRF, nonces and SPIs. The new suite and
     * PRF are those the rekey negotiated; this object stays usable until the old SA is deleted.
     */
    public IkeKeys rekey(IkeSuite newSuite, Prf newPrf, SharedSecret girNew, byte[] ni, byte[] nr, byte[] spiI, byte[] spiR) {
        checkInputs(ni, nr, spiI, spiR);
        byte[] skeyseed = IkeKdf.rekeySkeyseed(prf, key(IkeKey.SK_D), girNew.bytes(), ni, nr);
        try {
            return expand(newSuite, newPrf, skeyseed, ni, nr, spiI, spiR);
        } finally {
            KeyBytes.wipe(skeyseed);
        }
    }

    private static IkeKeys expand(IkeSuite suite, Prf prf, byte[] skeyseed, byte[] ni, byte[] nr, byte[] spiI, byte[] spiR) {
        int[] lengths = lengths(suite, prf);
        int total = Arrays.stream(lengths).sum();
        byte[] keymat = IkeKdf.ikeKeymat(prf, skeyseed, ni, nr, spiI, spiR, total);
        byte[][] keys = new byte[lengths.length][];
        for (int i = 0, at = 0; i < lengths.length; at += lengths[i], i++) {
            keys[i] = Arrays.copyOfRange(keymat, at, at + lengths[i]);
        }
        KeyBytes.wipe(keymat);
        return new IkeKeys(suite, prf, keys);
    }

    /** Lengths of SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr, in {@link IkeKey} order. */
    static int[] lengths(IkeSuite suite, Prf prf) {
        int p = prf.preferredKeyLength();
        int a = suite.integrityKeyLength();
        int e = suite.encryptionKeyLength();
        return new int[] {p, a, a, e, e, p, p};
    }

    private static void checkInputs(byte[] ni, byte[] nr, byte[] spiI, byte[] spiR) {
        checkNonce("Ni", ni);
        checkNonce("Nr", nr);
        if (spiI.length != SPI_LENGTH || spiR.length != SPI_LENGTH) {
            throw new IllegalArgumentException("IKE SPIs are " + SPI_LENGTH + " bytes");
        }
    }

    private static void checkNonce(String name, byte[] n) {
        if (n.length < MIN_NONCE_LENGTH || n.length > MAX_NONCE_LENGTH) {
            throw new IllegalArgumentException(name + " must be " + MIN_NONCE_LENGTH + " to " + MAX_NONCE_LENGTH
                    + " bytes (RFC 7296 section 2.10), got " + n.length);
        }
    }

    public IkeSuite suite() {
        return suite;
    }

    public Prf prf() {
        return prf;
    }

    public int length(IkeKey which) {
        return keys[which.ordinal()].length;
    }

    /** A copy of one key; the caller wipes it. */
    public byte[] copyOf(IkeKey which) {
        return key(which).clone();
    }

    /** The key itself, for this package's own use; never handed out. */
    byte[] key(IkeKey which) {
        if (destroyed) {
            throw new IllegalStateException("IKE SA keys were destroyed");
        }
        return keys[which.ordinal()];
    }

    /** Zeroes every key; the object refuses use afterwards. */
    public void destroy() {
        destroyed = true;
        KeyBytes.wipe(keys);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Whether every key byte is zero: for tests of {@link #destroy}. */
    boolean isZeroed() {
        for (byte[] k : keys) {
            if (!KeyBytes.allZero(k)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "IkeKeys[" + suite + ", " + prf + (destroyed ? ", destroyed]" : "]");
    }
}
