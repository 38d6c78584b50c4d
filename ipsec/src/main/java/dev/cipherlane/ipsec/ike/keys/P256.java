package dev.cipherlane.ipsec.ike.keys;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;

/**
 * The NIST P-256 curve (secp256r1) as the JDK defines it, with the two pieces of point
 * arithmetic the JDK does not offer: the on-curve check we run on every peer value
 * (RFC 6989 section 2.3) and scalar multiplication of the generator, which
 * {@link Ecp256Exchange#fromScalar} needs to give a fixed test key its public value.
 * The multiplication is plain affine double-and-add: not constant time, so it must never
 * see a key that is used on the wire; generated keys never come here.
 */
final class P256 {
    static final ECParameterSpec PARAMS = params();
    static final BigInteger P = ((ECFieldFp) PARAMS.getCurve().getField()).getP();
    static final BigInteger A = PARAMS.getCurve().getA();
    static final BigInteger B = PARAMS.getCurve().getB();
    static final BigInteger N = PARAMS.getOrder();
    static final int COORDINATE_BYTES = 32;

    private P256() {}

    private static ECParameterSpec params() {
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec("secp256r1"));
            return ap.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no secp256r1", e);
        }
    }

    /**
     * Whether (x, y) is a point of the curve: both coordinates in [0, p) and y² = x³ + ax + b.
     * The cofactor is 1, so every such point lies in the prime-order group and none of them is
     * the point at infinity, which x ‖ y cannot encode anyway (RFC 5903 section 7).
     */
    static boolean isOnCurve(BigInteger x, BigInteger y) {
        if (x.signum() < 0 || x.compareTo(P) >= 0 || y.signum() < 0 || y.compareTo(P) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(P);
        BigInteger right = x.multiply(x).add(A).multiply(x).add(B).mod(P);
        return left.equals(right);
    }

    /** k·G for 1 ≤ k < n (so the result is never infinity). */
    static ECPoint multiplyGenerator(BigInteger k) {
        ECPoint g = PARAMS.getGenerator();
        BigInteger[] acc = null;
        BigInteger[] addend = {g.getAffineX(), g.getAffineY()};
        for (int i = 0; i < k.bitLength(); i++) {
            if (k.testBit(i)) {
                acc = acc == null ? addend : add(acc, addend);
            }
            addend = add(addend, addend);
        }
        return new ECPoint(acc[0], acc[1]);
    }

    /** Affine addition or doubling; callers never add a point to its negative (k < n). */
    private static BigInteger[] add(BigInteger[] p1, BigInteger[] p2) {
        BigInteger lambda;
        if (p1[0].equals(p2[0])) {
            BigInteger num = p1[0].multiply(p1[0]).multiply(BigInteger.valueOf(3)).add(A);
            lambda = num.multiply(p1[1].shiftLeft(1).modInverse(P)).mod(P);
        } else {
            lambda = p2[1].subtract(p1[1]).multiply(p2[0].subtract(p1[0]).modInverse(P)).mod(P);
        }
        BigInteger x3 = lambda.multiply(lambda).subtract(p1[0]).subtract(p2[0]).mod(P);
        BigInteger y3 = lambda.multiply(p1[0].subtract(x3)).subtract(p1[1]).mod(P);
        return new BigInteger[] {x3, y3};
    }
}
