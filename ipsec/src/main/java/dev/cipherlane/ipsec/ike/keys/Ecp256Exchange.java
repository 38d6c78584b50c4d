package dev.cipherlane.ipsec.ike.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.security.auth.DestroyFailedException;

/**
 * 256-bit random ECP group (group 19) as RFC 5903 section 7 puts it on the wire: the public
 * value is x ‖ y, 32 big-endian bytes each, and the shared secret is the x-coordinate of the
 * shared point alone. The peer's point is checked to be on the curve before the JDK sees it
 * (RFC 6989 section 2.3: an off-curve point can leak our private key).
 */
final class Ecp256Exchange extends KeyExchange {
    private static final int C = P256.COORDINATE_BYTES;

    private PrivateKey privateKey;

    private Ecp256Exchange(PrivateKey privateKey, byte[] publicValue) {
        super(DhGroup.ECP_256, publicValue);
        this.privateKey = privateKey;
    }

    static Ecp256Exchange generate(SecureRandom random) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(P256.PARAMS, random);
            KeyPair pair = kpg.generateKeyPair();
            return new Ecp256Exchange(pair.getPrivate(), encode(((ECPublicKey) pair.getPublic()).getW()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no secp256r1 key generator", e);
        }
    }

    static Ecp256Exchange fromScalar(byte[] scalar) {
        if (scalar == null || scalar.length != C) {
            throw new IllegalArgumentException("an ECP-256 private key is " + C + " bytes");
        }
        BigInteger d = new BigInteger(1, scalar);
        if (d.signum() == 0 || d.compareTo(P256.N) >= 0) {
            throw new IllegalArgumentException("an ECP-256 private key lies in [1, n-1]");
        }
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, P256.PARAMS));
            return new Ecp256Exchange(key, encode(P256.multiplyGenerator(d)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the JDK refused the ECP-256 private key", e);
        }
    }

    @Override
    Agreement agreeChecked(byte[] peer) {
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(peer, 0, C));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(peer, C, 2 * C));
        if (!P256.isOnCurve(x, y)) {
            return new Agreement.Refused(KeyExchangeFailure.INVALID_POINT);
        }
        byte[] raw;
        try {
            ECPublicKey peerKey = (ECPublicKey) KeyFactory.getInstance("EC")
                    .generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256.PARAMS));
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(privateKey);
            ka.doPhase(peerKey, true);
            raw = ka.generateSecret(); // the x-coordinate of the shared point (SEC 1 section 3.3.1)
        } catch (GeneralSecurityException e) {
            return new Agreement.Refused(KeyExchangeFailure.REFUSED_BY_PROVIDER);
        }
        byte[] secret = KeyBytes.fixedWidth(raw, C);
        KeyBytes.wipe(raw);
        if (secret == null) {
            return new Agreement.Refused(KeyExchangeFailure.REFUSED_BY_PROVIDER);
        }
        return new Agreement.Agreed(SharedSecret.adopt(secret));
    }

    private static byte[] encode(ECPoint w) {
        return KeyBytes.concat(KeyBytes.bigEndian(w.getAffineX(), C), KeyBytes.bigEndian(w.getAffineY(), C));
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
