package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.ipsec.crypto.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The IKEv2 KDF against the NIST CAVP "IKEv2 KDF" sample for SHA-256 (SP 800-135 section
 * 4.1.2: SKEYSEED, DKM, SKEYSEED for a rekey), as Mozilla NSS ships it in its test suite
 * (security/nss/gtests/common/testvectors/ike-sha256-vectors.h, entries 6 to 10, "from this
 * NIST samples"). That sample has no DKM(Child SA) values, so the two CHILD SA formulas are
 * checked on the same inputs against an independent prf+ written on Bouncy Castle's HMac.
 * CAVP's nonces are 8 bytes, shorter than RFC 7296 allows on the wire, which is why these
 * tests drive {@link IkeKdf} and not {@link IkeKeys}.
 */
class IkeKdfTest {
    private static final Prf PRF = Prf.HMAC_SHA2_256;

    private static final byte[] GIR = Hex.bytes("0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29");
    private static final byte[] GIR_NEW = Hex.bytes("25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c");
    private static final byte[] NI = Hex.bytes("3f302be1abcb28e1");
    private static final byte[] NR = Hex.bytes("8c332ee006064c9b");
    private static final byte[] SPI_I = Hex.bytes("40dac39e1e1a8640");
    private static final byte[] SPI_R = Hex.bytes("8619a1cf9a6e4c07");
    private static final String SKEYSEED = "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe";
    /** 132 bytes (1056 bits); its first 32 bytes are SK_d. */
    private static final String DKM = "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ec"
            + "e98aca531188d16041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6"
            + "cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4"
            + "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986"
            + "d12d4aad";
    private static final String SKEYSEED_REKEY = "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398";

    @Test
    void skeyseed() {
        assertEquals(SKEYSEED, Hex.of(IkeKdf.skeyseed(PRF, NI, NR, GIR)));
    }

    @Test
    void dkmAndItsTruncations() {
        assertEquals(264, DKM.length());
        byte[] skeyseed = Hex.bytes(SKEYSEED);
        assertEquals(DKM, Hex.of(IkeKdf.ikeKeymat(PRF, skeyseed, NI, NR, SPI_I, SPI_R, 132)));
        assertEquals(DKM.substring(0, 64), Hex.of(IkeKdf.ikeKeymat(PRF, skeyseed, NI, NR, SPI_I, SPI_R, 32)));
        assertEquals(DKM.substring(0, 30), Hex.of(IkeKdf.ikeKeymat(PRF, skeyseed, NI, NR, SPI_I, SPI_R, 15)));
    }

    @Test
    void skeyseedForRekey() {
        byte[] skD = Arrays.copyOf(Hex.bytes(DKM), 32);
        assertEquals(SKEYSEED_REKEY, Hex.of(IkeKdf.rekeySkeyseed(PRF, skD, GIR_NEW, NI, NR)));
    }

    @Test
    void childKeymatWithAndWithoutFreshDiffieHellman() {
        byte[] skD = Arrays.copyOf(Hex.bytes(DKM), 32);
        assertArrayEquals(Reference.prfPlus(skD, Reference.cat(NI, NR), 132),
                IkeKdf.childKeymat(PRF, skD, null, NI, NR, 132));
        assertArrayEquals(Reference.prfPlus(skD, Reference.cat(GIR_NEW, NI, NR), 132),
                IkeKdf.childKeymat(PRF, skD, GIR_NEW, NI, NR, 132));
    }

    @Test
    void skeyseedMatchesAnIndependentHmac() {
        assertArrayEquals(Reference.hmac(Reference.cat(NI, NR), GIR), IkeKdf.skeyseed(PRF, NI, NR, GIR));
    }
}
