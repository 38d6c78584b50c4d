package dev.cipherlane.ipsec.ike.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;
import javax.security.auth.DestroyFailedException;

/**
 * Curve25519 for IKEv2 (RFC 8031): the KE payload holds the 32-byte little-endian
 * u-coordinate, and so does the shared secret. RFC 8031 section 2.3 asks the receiver to
 * refuse an all-zero result, which is what a low-order peer point yields.
 */
final class X25519Exchange extends KeyExchange {
    private static final int LENGTH = 32;
    /** 2^255 − 19 (RFC 7748 section 4.1). */
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger BASE_U = BigInteger.valueOf(9);

    private PrivateKey privateKey;

    private X25519Exchange(PrivateKey privateKey, byte[] publicValue) {
        super(DhGroup.CURVE25519, publicValue);
        this.privateKey = privateKey;
    }

    static X25519Exchange generate(SecureRandom random) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("X25519");
            kpg.initialize(NamedParameterSpec.X25519, random);
            KeyPair pair = kpg.generateKeyPair();
            BigInteger u = ((XECPublicKey) pair.getPublic()).getU();
            return new X25519Exchange(pair.getPrivate(), encode(u));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no X25519", e);
        }
    }

    static X25519Exchange fromScalar(byte[] scalar) {
        if (scalar == null || scalar.length != LENGTH) {
            throw new IllegalArgumentException("an X25519 private key is " + LENGTH + " bytes");
        }
        byte[] copy = scalar.clone();
        try {
            PrivateKey key = KeyFactory.getInstance("XDH")
                    .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, copy));
            // The JDK has no call for "public key of this private key"; X25519(k, 9) is exactly that
            // (RFC 7748 section 6.1).
            byte[] pub = compute(key, BASE_U);
            return new X25519Exchange(key, pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("X25519 refused the private key", e);
        } finally {
            KeyBytes.wipe(copy);
        }
    }

    @Override
    Agreement agreeChecked(byte[] peer) {
        byte[] secret;
        try {
            secret = compute(privateKey, decode(peer));
        } catch (InvalidKeyException e) {
            // The JDK refuses a low-order point itself ("all-zero result"); report it as such.
            return new Agreement.Refused(KeyExchangeFailure.ALL_ZERO_SECRET);
        } catch (GeneralSecurityException e) {
            return new Agreement.Refused(KeyExchangeFailure.REFUSED_BY_PROVIDER);
        }
        if (secret.length != LENGTH) {
            KeyBytes.wipe(secret);
            return new Agreement.Refused(KeyExchangeFailure.REFUSED_BY_PROVIDER);
        }
        // Checked again in case a provider hands the zeros back instead of refusing.
        if (KeyBytes.allZero(secret)) {
            return new Agreement.Refused(KeyExchangeFailure.ALL_ZERO_SECRET);
        }
        return new Agreement.Agreed(SharedSecret.adopt(secret));
    }

    private static byte[] compute(PrivateKey key, BigInteger u) throws GeneralSecurityException {
        XECPublicKeySpec spec = new XECPublicKeySpec(NamedParameterSpec.X25519, u);
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(key);
        ka.doPhase(KeyFactory.getInstance("XDH").generatePublic(spec), true);
        return ka.generateSecret();
    }

    /**
     * RFC 7748 section 5: little-endian, the top bit of the last byte ignored, and values
     * of p and above accepted and reduced rather than refused.
     */
    private static BigInteger decode(byte[] wire) {
        byte[] be = KeyBytes.reverse(wire);
        be[0] &= 0x7F;
        return new BigInteger(1, be).mod(P);
    }

    private static byte[] encode(BigInteger u) {
        return KeyBytes.reverse(KeyBytes.bigEndian(u, LENGTH));
    }

    @Override
    void forgetPrivateKey() {
        try {
            privateKey.destroy();
        } catch (DestroyFailedException | RuntimeException e) {
            // Most JDK keys cannot be destroyed; dropping the reference is all we can do.
        }
        privateKey = null;
    }
}
