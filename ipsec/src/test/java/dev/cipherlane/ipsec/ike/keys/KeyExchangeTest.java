package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.Hex;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.agreement.DHBasicAgreement;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.bouncycastle.crypto.generators.DHKeyPairGenerator;
import org.bouncycastle.crypto.params.DHKeyGenerationParameters;
import org.bouncycastle.crypto.params.DHParameters;
import org.bouncycastle.crypto.params.DHPrivateKeyParameters;
import org.bouncycastle.crypto.params.DHPublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyExchangeTest {
    private static byte[] agreed(Agreement a) {
        return assertInstanceOf(Agreement.Agreed.class, a, () -> "refused: " + a).secret().copy();
    }

    private static void refused(KeyExchangeFailure expected, Agreement a) {
        assertEquals(new Agreement.Refused(expected), a);
    }

    private static byte[] fixed(BigInteger v, int width) {
        return KeyBytes.bigEndian(v, width);
    }

    // ---- Curve25519 ----------------------------------------------------------------------

    /** RFC 7748 section 5.2: X25519(scalar, u), the second u with its top bit set (it must be ignored). */
    @Test
    void x25519Rfc7748ScalarMultiplication() {
        String[][] vectors = {
            {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
             "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
             "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
            {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
             "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
             "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
        };
        for (String[] v : vectors) {
            KeyExchange k = KeyExchange.fromPrivateKey(DhGroup.CURVE25519, Hex.bytes(v[0]));
            assertEquals(v[2], Hex.of(agreed(k.agree(Hex.bytes(v[1])))));
        }
    }

    /** RFC 7748 section 6.1: Alice's and Bob's key pairs and their shared K. */
    @Test
    void x25519Rfc7748DiffieHellman() {
        KeyExchange alice = KeyExchange.fromPrivateKey(DhGroup.CURVE25519,
                Hex.bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        KeyExchange bob = KeyExchange.fromPrivateKey(DhGroup.CURVE25519,
                Hex.bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Hex.of(alice.publicValue()));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Hex.of(bob.publicValue()));
        String k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(k, Hex.of(agreed(alice.agree(bob.publicValue()))));
        assertEquals(k, Hex.of(agreed(bob.agree(alice.publicValue()))));
    }

    /** Low-order points give an all-zero secret, which RFC 8031 section 2.3 tells us to refuse. */
    @Test
    void x25519RefusesLowOrderPoints() {
        KeyExchange k = KeyExchange.generate(DhGroup.CURVE25519);
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000", // 0
            "0100000000000000000000000000000000000000000000000000000000000000", // 1
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p, i.e. 0
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1, i.e. 1
        };
        for (String u : lowOrder) {
            refused(KeyExchangeFailure.ALL_ZERO_SECRET, k.agree(Hex.bytes(u)));
        }
    }

    @ParameterizedTest
    @EnumSource(DhGroup.class)
    void wrongLengthsAreRefused(DhGroup group) {
        KeyExchange k = KeyExchange.generate(group);
        refused(KeyExchangeFailure.WRONG_LENGTH, k.agree(null));
        refused(KeyExchangeFailure.WRONG_LENGTH, k.agree(new byte[0]));
        refused(KeyExchangeFailure.WRONG_LENGTH, k.agree(Arrays.copyOf(k.publicValue(), group.publicValueLength() - 1)));
        refused(KeyExchangeFailure.WRONG_LENGTH, k.agree(Arrays.copyOf(k.publicValue(), group.publicValueLength() + 1)));
    }

    @ParameterizedTest
    @EnumSource(DhGroup.class)
    void generatedPairsAgree(DhGroup group) {
        KeyExchange a = KeyExchange.generate(group);
        KeyExchange b = KeyExchange.generate(group);
        assertEquals(group, a.group());
        assertEquals(group.publicValueLength(), a.publicValue().length);
        byte[] ab = agreed(a.agree(b.publicValue()));
        assertEquals(group.sharedSecretLength(), ab.length);
        assertArrayEquals(ab, agreed(b.agree(a.publicValue())));
        assertFalse(Arrays.equals(a.publicValue(), b.publicValue()));
    }

    @Test
    void groupsByTransformId() {
        assertEquals(DhGroup.CURVE25519, DhGroup.byTransformId(31).orElseThrow());
        assertEquals(DhGroup.ECP_256, DhGroup.byTransformId(19).orElseThrow());
        assertEquals(DhGroup.MODP_2048, DhGroup.byTransformId(14).orElseThrow());
        assertTrue(DhGroup.byTransformId(2).isEmpty());
    }

    // ---- ECP-256 -------------------------------------------------------------------------

    private static final String I = "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433";
    private static final String GI = "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
            + "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3";
    private static final String R = "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53";
    private static final String GR = "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
            + "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB";
    private static final String GIRX = "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE";

    /** RFC 5903 section 8.1: public values are x ‖ y, the shared secret is girx alone (section 7). */
    @Test
    void ecp256Rfc5903Vector() {
        KeyExchange i = KeyExchange.fromPrivateKey(DhGroup.ECP_256, Hex.bytes(I));
        KeyExchange r = KeyExchange.fromPrivateKey(DhGroup.ECP_256, Hex.bytes(R));
        assertEquals(GI, Hex.of(i.publicValue()).toUpperCase());
        assertEquals(GR, Hex.of(r.publicValue()).toUpperCase());
        assertEquals(GIRX, Hex.of(agreed(i.agree(Hex.bytes(GR)))).toUpperCase());
        assertEquals(GIRX, Hex.of(agreed(r.agree(Hex.bytes(GI)))).toUpperCase());
    }

    @Test
    void ecp256RefusesPointsOffTheCurve() {
        KeyExchange i = KeyExchange.fromPrivateKey(DhGroup.ECP_256, Hex.bytes(I));
        byte[] gr = Hex.bytes(GR);
        byte[] offCurve = gr.clone();
        offCurve[63] ^= 1;
        refused(KeyExchangeFailure.INVALID_POINT, i.agree(offCurve));
        refused(KeyExchangeFailure.INVALID_POINT, i.agree(new byte[64])); // (0, 0): no encoding of infinity
        byte[] allOnes = new byte[64];
        Arrays.fill(allOnes, (byte) 0xFF);
        refused(KeyExchangeFailure.INVALID_POINT, i.agree(allOnes));
        // x + p and y + p name the same residues but are not canonical coordinates.
        BigInteger x = new BigInteger(1, Arrays.copyOf(gr, 32));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(gr, 32, 64));
        assertTrue(P256.isOnCurve(x, y));
        assertFalse(P256.isOnCurve(x.add(P256.P), y));
        assertFalse(P256.isOnCurve(x, y.add(P256.P)));
        // y replaced by p - y is the negated point: still valid, and the same shared x.
        byte[] negated = KeyBytes.concat(Arrays.copyOf(gr, 32), fixed(P256.P.subtract(y), 32));
        assertEquals(GIRX, Hex.of(agreed(i.agree(negated))).toUpperCase());
    }

    @Test
    void ecp256FixedKeysMustBeInRange() {
        assertThrows(IllegalArgumentException.class, () -> KeyExchange.fromPrivateKey(DhGroup.ECP_256, new byte[32]));
        assertThrows(IllegalArgumentException.class,
                () -> KeyExchange.fromPrivateKey(DhGroup.ECP_256, fixed(P256.N, 32)));
        assertThrows(IllegalArgumentException.class, () -> KeyExchange.fromPrivateKey(DhGroup.ECP_256, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> KeyExchange.fromPrivateKey(DhGroup.CURVE25519, new byte[33]));
    }

    // ---- MODP-2048 -----------------------------------------------------------------------

    private static final DHParameters BC_GROUP = DHStandardGroups.rfc3526_2048;

    @Test
    void modp2048IsTheRfc3526Group() {
        assertEquals(BC_GROUP.getP(), Modp2048Exchange.P);
        assertEquals(BC_GROUP.getG(), Modp2048Exchange.G);
        assertEquals(2048, Modp2048Exchange.P.bitLength());
        // A safe prime: (p - 1) / 2 is prime too, which is what makes the range check enough.
        assertTrue(Modp2048Exchange.P.isProbablePrime(64));
        assertTrue(Modp2048Exchange.P.shiftRight(1).isProbablePrime(64));
    }

    /** Ours against Bouncy Castle's DH on the same group, both ways. */
    @Test
    void modp2048AgreesWithBouncyCastle() {
        DHKeyPairGenerator gen = new DHKeyPairGenerator();
        gen.init(new DHKeyGenerationParameters(new SecureRandom(), BC_GROUP));
        AsymmetricCipherKeyPair bc = gen.generateKeyPair();
        BigInteger bcY = ((DHPublicKeyParameters) bc.getPublic()).getY();

        KeyExchange ours = KeyExchange.generate(DhGroup.MODP_2048);
        byte[] ourSecret = agreed(ours.agree(fixed(bcY, 256)));

        DHBasicAgreement agreement = new DHBasicAgreement();
        agreement.init(bc.getPrivate());
        BigInteger bcSecret = agreement.calculateAgreement(
                new DHPublicKeyParameters(new BigInteger(1, ours.publicValue()), BC_GROUP));
        assertArrayEquals(fixed(bcSecret, 256), ourSecret);
    }

    /** Small exponents make short integers: both values must still be 256 bytes, zeros in front. */
    @Test
    void modp2048LeftPadsPublicValueAndSecret() {
        KeyExchange two = KeyExchange.fromPrivateKey(DhGroup.MODP_2048, new byte[] {2});
        byte[] pub = two.publicValue();
        assertEquals(256, pub.length);
        assertEquals(4, pub[255]);
        assertTrue(KeyBytes.allZero(Arrays.copyOf(pub, 255)));

        BigInteger y = BC_GROUP.getG().modPow(new BigInteger(160, new SecureRandom()), BC_GROUP.getP());
        boolean sawLeadingZero = false;
        for (int x = 2; x < 4000 && !sawLeadingZero; x++) {
            byte[] secret = agreed(KeyExchange.fromPrivateKey(DhGroup.MODP_2048, BigInteger.valueOf(x).toByteArray())
                    .agree(fixed(y, 256)));
            assertEquals(256, secret.length);
            assertArrayEquals(fixed(y.modPow(BigInteger.valueOf(x), BC_GROUP.getP()), 256), secret);
            sawLeadingZero = secret[0] == 0;
        }
        assertTrue(sawLeadingZero, "no secret with a leading zero byte in 4000 tries");
    }

    @Test
    void modp2048RefusesDegenerateValues() {
        KeyExchange k = KeyExchange.generate(DhGroup.MODP_2048);
        BigInteger p = Modp2048Exchange.P;
        for (BigInteger y : new BigInteger[] {
                BigInteger.ZERO, BigInteger.ONE, p.subtract(BigInteger.ONE), p, p.add(BigInteger.ONE),
                BigInteger.TWO.pow(2048).subtract(BigInteger.ONE)}) {
            refused(KeyExchangeFailure.OUT_OF_RANGE, k.agree(fixed(y, 256)));
        }
        assertInstanceOf(Agreement.Agreed.class, k.agree(fixed(BigInteger.TWO, 256)));
        assertInstanceOf(Agreement.Agreed.class, k.agree(fixed(p.subtract(BigInteger.TWO), 256)));
        assertThrows(IllegalArgumentException.class, () -> KeyExchange.fromPrivateKey(DhGroup.MODP_2048, new byte[] {1}));
    }

    // ---- lifecycle -----------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(DhGroup.class)
    void destroyedExchangesRefuseUseAndNeverPrintKeys(DhGroup group) {
        KeyExchange a = KeyExchange.generate(group);
        KeyExchange b = KeyExchange.generate(group);
        Agreement.Agreed agreed = (Agreement.Agreed) a.agree(b.publicValue());
        String secretHex = Hex.of(agreed.secret().copy());
        assertFalse(agreed.toString().contains(secretHex));
        assertFalse(agreed.toString().toLowerCase().contains(secretHex.substring(0, 16)));
        assertEquals("KeyExchange[" + group + " (" + group.transformId() + ")]", a.toString());
        a.destroy();
        assertTrue(a.isDestroyed());
        assertThrows(IllegalStateException.class, () -> a.agree(b.publicValue()));
        agreed.secret().destroy();
        assertThrows(IllegalStateException.class, () -> agreed.secret().copy());
    }
}
