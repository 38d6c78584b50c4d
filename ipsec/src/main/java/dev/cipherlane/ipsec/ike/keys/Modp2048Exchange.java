package dev.cipherlane.ipsec.ike.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import javax.crypto.KeyAgreement;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPrivateKeySpec;
import javax.crypto.spec.DHPublicKeySpec;
import javax.security.auth.DestroyFailedException;

/**
 * The 2048-bit MODP group (group 14) of RFC 3526 section 3. Public value and shared secret
 * travel as big-endian integers left-padded with zeros to the prime's 256 bytes (RFC 7296
 * section 3.4); the JDK's encodings are normalised to that width here.
 */
final class Modp2048Exchange extends KeyExchange {
    private static final int LENGTH = 256;

    /** RFC 3526 section 3: p = 2^2048 − 2^1984 − 1 + 2^64 · ( [2^1918 pi] + 124476 ), g = 2. */
    static final BigInteger P = new BigInteger(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
            + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
            + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
            + "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
            + "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
            + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
            + "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16);
    static final BigInteger G = BigInteger.TWO;
    private static final BigInteger P_MINUS_1 = P.subtract(BigInteger.ONE);
    /**
     * Private exponent bits: RFC 3526 section 8 puts this group's strength at 110 to 160 bits
     * and asks for an exponent of twice that; 320 covers the upper estimate.
     */
    private static final int EXPONENT_BITS = 320;
    private static final DHParameterSpec PARAMS = new DHParameterSpec(P, G, EXPONENT_BITS);

    private PrivateKey privateKey;

    private Modp2048Exchange(PrivateKey privateKey, byte[] publicValue) {
        super(DhGroup.MODP_2048, publicValue);
        this.privateKey = privateKey;
    }

    static Modp2048Exchange generate(SecureRandom random) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("DH");
            kpg.initialize(PARAMS, random);
            KeyPair pair = kpg.generateKeyPair();
            return new Modp2048Exchange(pair.getPrivate(), KeyBytes.bigEndian(((DHPublicKey) pair.getPublic()).getY(), LENGTH));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK refused a 2048-bit DH key pair", e);
        }
    }

    static Modp2048Exchange fromExponent(byte[] exponent) {
        if (exponent == null || exponent.length == 0 || exponent.length > LENGTH) {
            throw new IllegalArgumentException("a MODP-2048 private exponent is 1 to " + LENGTH + " bytes");
        }
        BigInteger x = new BigInteger(1, exponent);
        if (x.compareTo(BigInteger.ONE) <= 0 || x.compareTo(P_MINUS_1) >= 0) {
            throw new IllegalArgumentException("a MODP-2048 private exponent lies in [2, p-2]");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("DH").generatePrivate(new DHPrivateKeySpec(x, P, G));
            return new Modp2048Exchange(key, KeyBytes.bigEndian(G.modPow(x, P), LENGTH));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the JDK refused the MODP-2048 private exponent", e);
        }
    }

    @Override
    Agreement agreeChecked(byte[] peer) {
        BigInteger y = new BigInteger(1, peer);
        // RFC 6989 section 2.1: with a safe prime, refusing 0, 1 and p−1 (and anything not
        // below p) is enough; what is left has order q or 2q and leaks at most one bit.
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(P_MINUS_1) >= 0) {
            return new Agreement.Refused(KeyExchangeFailure.OUT_OF_RANGE);
        }
        byte[] raw;
        try {
            DHPublicKey peerKey = (DHPublicKey) KeyFactory.getInstance("DH").generatePublic(new DHPublicKeySpec(y, P, G));
            KeyAgreement ka = KeyAgreement.getInstance("DH");
            ka.init(privateKey);
            ka.doPhase(peerKey, true);
            raw = ka.generateSecret();
        } catch (GeneralSecurityException e) {
            return new Agreement.Refused(KeyExchangeFailure.REFUSED_BY_PROVIDER);
        }
        byte[] secret = KeyBytes.fixedWidth(raw, LENGTH);
        KeyBytes.wipe(raw);
        if (secret == null) {
            return new Agreement.Refused(KeyExchangeFailure.REFUSED_BY_PROVIDER);
        }
        return new Agreement.Agreed(SharedSecret.adopt(secret));
    }

    @Override
    void forgetPrivateKey() {
        try {
            privateKey.destroy();
        } catch (DestroyFailedException | RuntimeException e) {
            // Not destroyable in the JDK; dropping the reference is all we can do.
        }
        privateKey = null;
    }
}
