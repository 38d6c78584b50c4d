package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.Hex;
import dev.cipherlane.ipsec.keys.KeyMaterial;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IkeKeysTest {
    private static final Prf PRF = Prf.HMAC_SHA2_256;

    private static byte[] random(int seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static final byte[] GIR = random(1, 32);
    private static final byte[] NI = random(2, 32);
    private static final byte[] NR = random(3, 48);
    private static final byte[] SPI_I = random(4, 8);
    private static final byte[] SPI_R = random(5, 8);

    private static IkeKeys derive(IkeSuite suite) {
        return IkeKeys.derive(suite, PRF, SharedSecret.of(GIR), NI, NR, SPI_I, SPI_R);
    }

    /** The keys in order, checked against SKEYSEED and prf+ from the Bouncy Castle reference. */
    private static void assertSplit(IkeKeys keys, byte[] skeyseed, byte[] ni, byte[] nr, int[] lengths) {
        int total = Arrays.stream(lengths).sum();
        byte[] keymat = Reference.prfPlus(skeyseed, Reference.cat(ni, nr, SPI_I, SPI_R), total);
        int at = 0;
        for (IkeKey k : IkeKey.values()) {
            int n = lengths[k.ordinal()];
            assertEquals(n, keys.length(k), k.name());
            assertArrayEquals(Arrays.copyOfRange(keymat, at, at + n), keys.copyOf(k), k.name());
            at += n;
        }
    }

    @Test
    void aesGcmKeysHaveSaltsAndNoIntegrityKeys() {
        IkeKeys keys = derive(IkeSuite.AES_GCM_16_256);
        assertSplit(keys, Reference.hmac(Reference.cat(NI, NR), GIR), NI, NR, new int[] {32, 0, 0, 36, 36, 32, 32});
    }

    @Test
    void aesCbcKeysHaveIntegrityKeys() {
        IkeKeys keys = derive(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        assertSplit(keys, Reference.hmac(Reference.cat(NI, NR), GIR), NI, NR, new int[] {32, 32, 32, 32, 32, 32, 32});
    }

    /** RFC 7296 section 2.18: SKEYSEED from the old SK_d, then the new nonces and SPIs. */
    @Test
    void rekeyStartsFromTheOldSkD() {
        IkeKeys old = derive(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        byte[] girNew = random(6, 32);
        byte[] ni2 = random(7, 32);
        byte[] nr2 = random(8, 32);
        IkeKeys fresh = old.rekey(IkeSuite.AES_GCM_16_256, PRF, SharedSecret.of(girNew), ni2, nr2, SPI_I, SPI_R);
        assertSame(IkeSuite.AES_GCM_16_256, fresh.suite());
        byte[] skeyseed = Reference.hmac(old.copyOf(IkeKey.SK_D), girNew, ni2, nr2);
        assertSplit(fresh, skeyseed, ni2, nr2, new int[] {32, 0, 0, 36, 36, 32, 32});
    }

    /** RFC 7296 section 2.17: initiator-to-responder first, then responder-to-initiator, 36 bytes each. */
    @Test
    void childSaKeysComeInitiatorToResponderFirst() {
        IkeKeys ike = derive(IkeSuite.AES_GCM_16_256);
        byte[] skD = ike.copyOf(IkeKey.SK_D);
        byte[] girNew = random(9, 32);
        for (boolean pfs : new boolean[] {false, true}) {
            ChildSaKeys child = pfs
                    ? ChildSaKeys.derive(ike, SharedSecret.of(girNew), NI, NR)
                    : ChildSaKeys.derive(ike, NI, NR);
            byte[] keymat = Reference.prfPlus(skD, pfs ? Reference.cat(girNew, NI, NR) : Reference.cat(NI, NR), 72);
            KeyMaterial iToR = KeyMaterial.of(Arrays.copyOfRange(keymat, 0, 36));
            KeyMaterial rToI = KeyMaterial.of(Arrays.copyOfRange(keymat, 36, 72));
            assertTrue(child.initiatorToResponder().sameAs(iToR));
            assertTrue(child.responderToInitiator().sameAs(rToI));
            assertSame(child.initiatorToResponder(), child.outbound(IkeRole.INITIATOR));
            assertSame(child.initiatorToResponder(), child.inbound(IkeRole.RESPONDER));
            assertSame(child.responderToInitiator(), child.outbound(IkeRole.RESPONDER));
            assertSame(child.responderToInitiator(), child.inbound(IkeRole.INITIATOR));
            assertArrayEquals(Arrays.copyOfRange(keymat, 32, 36), child.initiatorToResponder().copySalt());
            child.destroy();
        }
    }

    @Test
    void nonceAndSpiLengthsAreThoseOfRfc7296() {
        SharedSecret gir = SharedSecret.of(GIR);
        IkeSuite s = IkeSuite.AES_GCM_16_256;
        assertThrows(IllegalArgumentException.class, () -> IkeKeys.derive(s, PRF, gir, new byte[15], NR, SPI_I, SPI_R));
        assertThrows(IllegalArgumentException.class, () -> IkeKeys.derive(s, PRF, gir, NI, new byte[257], SPI_I, SPI_R));
        assertThrows(IllegalArgumentException.class, () -> IkeKeys.derive(s, PRF, gir, NI, NR, new byte[7], SPI_R));
        assertThrows(IllegalArgumentException.class, () -> IkeKeys.derive(s, PRF, gir, NI, NR, SPI_I, new byte[9]));
        IkeKeys.derive(s, PRF, gir, new byte[16], new byte[256], SPI_I, SPI_R);
    }

    @Test
    void suitesByTransformIds() {
        assertEquals(IkeSuite.AES_GCM_16_256, IkeSuite.find(20, 256, IkeSuite.INTEG_NONE).orElseThrow());
        assertEquals(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128, IkeSuite.find(12, 256, 12).orElseThrow());
        assertTrue(IkeSuite.find(20, 256, 12).isEmpty(), "GCM with an integrity transform");
        assertTrue(IkeSuite.find(20, 128, IkeSuite.INTEG_NONE).isEmpty());
        assertTrue(IkeSuite.find(12, 256, IkeSuite.INTEG_NONE).isEmpty(), "CBC without integrity");
        assertTrue(IkeSuite.AES_GCM_16_256.isAead());
        assertFalse(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128.isAead());
    }

    @Test
    void destroyZeroesAndPrintingShowsNoKey() {
        IkeKeys keys = derive(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        String text = keys.toString();
        for (IkeKey k : IkeKey.values()) {
            assertFalse(text.contains(Hex.of(keys.copyOf(k)).substring(0, 8)), k.name());
        }
        assertEquals("IkeKeys[AES_CBC_256_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256 (5)]", text);
        assertFalse(keys.isZeroed());
        keys.destroy();
        assertTrue(keys.isDestroyed());
        assertTrue(keys.isZeroed());
        assertThrows(IllegalStateException.class, () -> keys.copyOf(IkeKey.SK_D));
        assertThrows(IllegalStateException.class, () -> ChildSaKeys.derive(keys, NI, NR));
    }
}
