package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** AUTH for pre-shared keys (RFC 7296 section 2.15), checked against Bouncy Castle's HMac. */
class PskAuthTest {
    private static final Prf PRF = Prf.HMAC_SHA2_256;
    private static final byte[] PSK = "correct horse battery staple, node a to node b".getBytes(StandardCharsets.UTF_8);

    private static byte[] random(int seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static final byte[] MESSAGE_1 = random(1, 300);
    private static final byte[] MESSAGE_2 = random(2, 280);
    private static final byte[] NONCE_I = random(3, 32);
    private static final byte[] NONCE_R = random(4, 32);
    /** ID type 1 (ID_IPV4_ADDR), three reserved octets, 192.0.2.1 (RFC 5737). */
    private static final byte[] REST_OF_ID_I = Hex.bytes("01000000 c0000201");
    private static final byte[] REST_OF_ID_R = Hex.bytes("01000000 c0000202");

    private static IkeKeys keys() {
        return IkeKeys.derive(IkeSuite.AES_GCM_16_256, PRF, SharedSecret.of(random(5, 32)), NONCE_I, NONCE_R,
                random(6, 8), random(7, 8));
    }

    private static byte[] expectedAuth(byte[] psk, byte[] signedOctets) {
        byte[] padKey = Reference.hmac(psk, "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII));
        return Reference.hmac(padKey, signedOctets);
    }

    @Test
    void signedOctetsAreMessageThenPeerNonceThenMacedId() {
        IkeKeys keys = keys();
        byte[] i = PskAuth.initiatorSignedOctets(keys, MESSAGE_1, NONCE_R, REST_OF_ID_I);
        assertArrayEquals(Reference.cat(MESSAGE_1, NONCE_R, Reference.hmac(keys.copyOf(IkeKey.SK_PI), REST_OF_ID_I)), i);
        byte[] r = PskAuth.responderSignedOctets(keys, MESSAGE_2, NONCE_I, REST_OF_ID_R);
        assertArrayEquals(Reference.cat(MESSAGE_2, NONCE_I, Reference.hmac(keys.copyOf(IkeKey.SK_PR), REST_OF_ID_R)), r);
    }

    @Test
    void authDataMatchesAnIndependentComputationAndVerifies() {
        IkeKeys keys = keys();
        PskAuth auth = PskAuth.of(PRF, PreSharedKey.of(PSK));
        for (byte[] octets : new byte[][] {
                PskAuth.initiatorSignedOctets(keys, MESSAGE_1, NONCE_R, REST_OF_ID_I),
                PskAuth.responderSignedOctets(keys, MESSAGE_2, NONCE_I, REST_OF_ID_R)}) {
            byte[] expected = expectedAuth(PSK, octets);
            assertArrayEquals(expected, auth.authData(octets));
            assertTrue(auth.verify(octets, expected));
        }
    }

    @Test
    void aWrongKeyIsRefused() {
        byte[] octets = PskAuth.initiatorSignedOctets(keys(), MESSAGE_1, NONCE_R, REST_OF_ID_I);
        byte[] other = PSK.clone();
        other[other.length - 1] ^= 1;
        PskAuth auth = PskAuth.of(PRF, PreSharedKey.of(PSK));
        assertFalse(auth.verify(octets, expectedAuth(other, octets)));
        assertFalse(PskAuth.of(PRF, PreSharedKey.of(other)).verify(octets, auth.authData(octets)));
    }

    @Test
    void changedOctetsAndMangledAuthDataAreRefused() {
        IkeKeys keys = keys();
        PskAuth auth = PskAuth.of(PRF, PreSharedKey.of(PSK));
        byte[] octets = PskAuth.initiatorSignedOctets(keys, MESSAGE_1, NONCE_R, REST_OF_ID_I);
        byte[] good = auth.authData(octets);
        for (int i = 0; i < octets.length; i += 7) {
            byte[] changed = octets.clone();
            changed[i] ^= 0x40;
            assertFalse(auth.verify(changed, good), "octet " + i);
        }
        // The responder's octets are not the initiator's, nor is another identity.
        assertFalse(auth.verify(PskAuth.responderSignedOctets(keys, MESSAGE_1, NONCE_R, REST_OF_ID_I), good));
        assertFalse(auth.verify(PskAuth.initiatorSignedOctets(keys, MESSAGE_1, NONCE_R, REST_OF_ID_R), good));
        for (int bit = 0; bit < 8 * good.length; bit++) {
            byte[] flipped = good.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(auth.verify(octets, flipped));
        }
        assertFalse(auth.verify(octets, Arrays.copyOf(good, 31)));
        assertFalse(auth.verify(octets, Arrays.copyOf(good, 33)));
        assertFalse(auth.verify(octets, new byte[0]));
        assertFalse(auth.verify(octets, null));
    }

    @Test
    void secretsStayOutOfPrintAndAreWiped() {
        PreSharedKey psk = PreSharedKey.of(PSK);
        PskAuth auth = PskAuth.of(PRF, psk);
        assertEquals("PreSharedKey[redacted]", psk.toString());
        assertEquals("PskAuth[PRF_HMAC_SHA2_256 (5)]", auth.toString());
        assertThrows(IllegalArgumentException.class, () -> PreSharedKey.of(new byte[0]));
        psk.destroy();
        assertThrows(IllegalStateException.class, () -> PskAuth.of(PRF, psk));
        auth.destroy();
        assertTrue(auth.isDestroyed());
        assertThrows(IllegalStateException.class, () -> auth.authData(new byte[1]));
    }
}
