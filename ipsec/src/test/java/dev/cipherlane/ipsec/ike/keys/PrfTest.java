package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.ipsec.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrfTest {
    private static final Prf PRF = Prf.HMAC_SHA2_256;

    private static byte[] repeat(int b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) b);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 4231 section 4, the HMAC-SHA-256 results of test cases 1 to 7. */
    @Test
    void rfc4231TestCases() {
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                Hex.of(PRF.apply(repeat(0x0b, 20), ascii("Hi There"))));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                Hex.of(PRF.apply(ascii("Jefe"), ascii("what do ya want for nothing?"))));
        assertEquals("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                Hex.of(PRF.apply(repeat(0xaa, 20), repeat(0xdd, 50))));
        assertEquals("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                Hex.of(PRF.apply(Hex.bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50))));
        // Case 5 publishes the first 128 bits only.
        assertEquals("a3b6167473100ee06e0c796c2955552b",
                Hex.of(Arrays.copyOf(PRF.apply(repeat(0x0c, 20), ascii("Test With Truncation")), 16)));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                Hex.of(PRF.apply(repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"))));
        assertEquals("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                Hex.of(PRF.apply(repeat(0xaa, 131), ascii("This is a test using a larger than block-size key and a larger"
                        + " than block-size data. The key needs to be hashed before being used by the HMAC algorithm."))));
    }

    @Test
    void dataPartsAreConcatenated() {
        byte[] key = repeat(7, 32);
        assertArrayEquals(PRF.apply(key, ascii("abcdef")), PRF.apply(key, ascii("ab"), new byte[0], ascii("cdef")));
    }

    @Test
    void anEmptyKeyIsHmacsBlockOfZeros() {
        assertArrayEquals(Reference.hmac(new byte[64], ascii("x")), PRF.apply(new byte[0], ascii("x")));
        assertArrayEquals(Reference.hmac(new byte[0], ascii("x")), PRF.apply(new byte[0], ascii("x")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 31, 32, 33, 64, 132, 168, 224, 1000, 255 * 32})
    void prfPlusMatchesAnIndependentImplementation(int length) {
        SplittableRandom r = new SplittableRandom(length);
        byte[] key = new byte[32];
        byte[] seed = new byte[80];
        r.nextBytes(key);
        r.nextBytes(seed);
        assertArrayEquals(Reference.prfPlus(key, seed, length), PRF.plus(key, seed, length));
    }

    @Test
    void prfPlusIsAPrefixCode() {
        byte[] key = repeat(1, 32);
        byte[] seed = repeat(2, 20);
        byte[] longer = PRF.plus(key, seed, 100);
        assertArrayEquals(Arrays.copyOf(longer, 45), PRF.plus(key, seed, 45));
        // T1 = prf(K, S | 0x01).
        assertArrayEquals(PRF.apply(key, seed, new byte[] {1}), Arrays.copyOf(longer, 32));
    }

    @Test
    void prfPlusStopsAt255Iterations() {
        assertEquals(255 * 32, PRF.maxPlusLength());
        assertThrows(IllegalArgumentException.class, () -> PRF.plus(new byte[32], new byte[8], 255 * 32 + 1));
        assertThrows(IllegalArgumentException.class, () -> PRF.plus(new byte[32], new byte[8], -1));
    }

    @Test
    void identity() {
        assertEquals(5, PRF.transformId());
        assertEquals(32, PRF.outputLength());
        assertEquals(32, PRF.preferredKeyLength());
        assertEquals(PRF, Prf.byTransformId(5).orElseThrow());
        assertEquals(java.util.Optional.empty(), Prf.byTransformId(2));
    }
}
