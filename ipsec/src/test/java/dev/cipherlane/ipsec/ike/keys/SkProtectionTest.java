package dev.cipherlane.ipsec.ike.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SkProtectionTest {
    private static final Prf PRF = Prf.HMAC_SHA2_256;
    private static final int PREFIX = SkProtection.IKE_HEADER_LENGTH + SkProtection.GENERIC_HEADER_LENGTH;

    private static byte[] random(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static IkeKeys keys(IkeSuite suite) {
        return IkeKeys.derive(suite, PRF, SharedSecret.of(random(1, 32)), random(2, 32), random(3, 32),
                random(4, 8), random(5, 8));
    }

    /**
     * An IKE_AUTH request's IKE header (RFC 7296 section 3.1) and SK generic header (section
     * 3.2), with the Length fields final for a body of {@code bodyLength}.
     */
    private static byte[] prefix(int bodyLength) {
        byte[] p = new byte[PREFIX];
        System.arraycopy(random(4, 8), 0, p, 0, 8);
        System.arraycopy(random(5, 8), 0, p, 8, 8);
        p[16] = 46; // next payload: SK
        p[17] = 0x20; // version 2.0
        p[18] = 35; // IKE_AUTH
        p[19] = 0x08; // initiator
        p[23] = 1; // message id
        putInt(p, 24, PREFIX + bodyLength);
        p[28] = 35; // first inner payload: IDi
        int skLength = SkProtection.GENERIC_HEADER_LENGTH + bodyLength;
        p[30] = (byte) (skLength >>> 8);
        p[31] = (byte) skLength;
        return p;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static byte[] seal(SkProtection sk, byte[] plaintext) {
        return sk.seal(prefix(sk.protectedLength(plaintext.length)), plaintext);
    }

    private static byte[] opened(SkOpening o) {
        return assertInstanceOf(SkOpening.Opened.class, o, () -> "refused: " + o).innerPayloads();
    }

    @ParameterizedTest
    @EnumSource(IkeSuite.class)
    void roundTripsBothWays(IkeSuite suite) {
        IkeKeys keys = keys(suite);
        SkProtection initiator = SkProtection.of(keys, IkeRole.INITIATOR);
        SkProtection responder = SkProtection.of(keys, IkeRole.RESPONDER);
        for (int n = 0; n <= 70; n++) {
            byte[] plaintext = random(n, n);
            byte[] request = seal(initiator, plaintext);
            assertEquals(PREFIX + initiator.protectedLength(n), request.length);
            assertArrayEquals(plaintext, opened(responder.open(request, PREFIX)));
            byte[] response = seal(responder, plaintext);
            assertArrayEquals(plaintext, opened(initiator.open(response, PREFIX)));
            // Each direction has its own key: our own message does not open under the peer's key.
            assertEquals(new SkOpening.Refused(SkFailure.INTEGRITY_CHECK_FAILED), initiator.open(request, PREFIX));
        }
    }

    @Test
    void protectedLengths() {
        SkProtection gcm = SkProtection.of(keys(IkeSuite.AES_GCM_16_256), IkeRole.INITIATOR);
        SkProtection cbc = SkProtection.of(keys(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128), IkeRole.INITIATOR);
        // GCM: 8-byte IV, plaintext, pad length byte, 16-byte ICV; no padding.
        assertEquals(8 + 0 + 1 + 16, gcm.protectedLength(0));
        assertEquals(8 + 100 + 1 + 16, gcm.protectedLength(100));
        // CBC: 16-byte IV, plaintext and pad length rounded up to 16, 16-byte ICV.
        assertEquals(16 + 16 + 16, cbc.protectedLength(0));
        assertEquals(16 + 16 + 16, cbc.protectedLength(15));
        assertEquals(16 + 32 + 16, cbc.protectedLength(16));
        assertEquals(16 + 112 + 16, cbc.protectedLength(100));
    }

    @ParameterizedTest
    @EnumSource(IkeSuite.class)
    void everySingleBitFlipIsRefused(IkeSuite suite) {
        IkeKeys keys = keys(suite);
        SkProtection initiator = SkProtection.of(keys, IkeRole.INITIATOR);
        SkProtection responder = SkProtection.of(keys, IkeRole.RESPONDER);
        byte[] message = seal(initiator, random(9, 21));
        for (int bit = 0; bit < 8 * message.length; bit++) {
            byte[] flipped = message.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertEquals(new SkOpening.Refused(SkFailure.INTEGRITY_CHECK_FAILED), responder.open(flipped, PREFIX),
                    "bit " + bit + " of " + message.length + " bytes");
        }
    }

    @ParameterizedTest
    @EnumSource(IkeSuite.class)
    void truncatedAndExtendedMessagesAreRefused(IkeSuite suite) {
        IkeKeys keys = keys(suite);
        SkProtection initiator = SkProtection.of(keys, IkeRole.INITIATOR);
        SkProtection responder = SkProtection.of(keys, IkeRole.RESPONDER);
        byte[] message = seal(initiator, random(10, 40));
        for (int n = 0; n < message.length; n++) {
            assertInstanceOf(SkOpening.Refused.class, responder.open(Arrays.copyOf(message, n), PREFIX), "length " + n);
        }
        assertInstanceOf(SkOpening.Refused.class, responder.open(Arrays.copyOf(message, message.length + 1), PREFIX));
        assertInstanceOf(SkOpening.Refused.class, responder.open(Arrays.copyOf(message, message.length + 16), PREFIX));
        assertEquals(new SkOpening.Refused(SkFailure.TOO_SHORT), responder.open(message, -1));
        assertEquals(new SkOpening.Refused(SkFailure.TOO_SHORT), responder.open(message, 0));
        assertEquals(new SkOpening.Refused(SkFailure.TOO_SHORT), responder.open(message, PREFIX - 1));
        assertEquals(new SkOpening.Refused(SkFailure.TOO_SHORT), responder.open(message, message.length + 1));
        assertEquals(new SkOpening.Refused(SkFailure.TOO_SHORT), responder.open(null, PREFIX));
        // The wrong offset moves IV and AAD: never authentic.
        assertInstanceOf(SkOpening.Refused.class, responder.open(message, PREFIX + 1));
        assertEquals(new SkOpening.Refused(SkFailure.TOO_SHORT), responder.open(Arrays.copyOf(message, PREFIX + 8), PREFIX));
    }

    @Test
    void cbcCiphertextMustBeWholeBlocks() {
        IkeKeys keys = keys(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        SkProtection responder = SkProtection.of(keys, IkeRole.RESPONDER);
        byte[] message = seal(SkProtection.of(keys, IkeRole.INITIATOR), random(11, 20));
        assertEquals(new SkOpening.Refused(SkFailure.BAD_LENGTH),
                responder.open(Arrays.copyOf(message, message.length + 1), PREFIX));
        assertEquals(new SkOpening.Refused(SkFailure.BAD_LENGTH),
                responder.open(Arrays.copyOf(message, message.length - 1), PREFIX));
    }

    /** RFC 5282: nonce = salt ‖ IV, AAD = IKE header and SK generic header; Bouncy Castle must agree. */
    @Test
    void gcmMatchesBouncyCastle() throws InvalidCipherTextException {
        IkeKeys keys = keys(IkeSuite.AES_GCM_16_256);
        SkProtection initiator = SkProtection.of(keys, IkeRole.INITIATOR);
        byte[] skEi = keys.copyOf(IkeKey.SK_EI);
        for (int n : new int[] {0, 1, 15, 16, 17, 200}) {
            byte[] plaintext = random(100 + n, n);
            byte[] message = seal(initiator, plaintext);
            byte[] aad = Arrays.copyOf(message, PREFIX);
            byte[] nonce = Reference.cat(Arrays.copyOfRange(skEi, 32, 36), Arrays.copyOfRange(message, PREFIX, PREFIX + 8));
            GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
            gcm.init(true, new AEADParameters(new KeyParameter(Arrays.copyOf(skEi, 32)), 128, nonce, aad));
            byte[] padded = Arrays.copyOf(plaintext, n + 1); // pad length 0, no padding
            byte[] expected = new byte[gcm.getOutputSize(padded.length)];
            int len = gcm.processBytes(padded, 0, padded.length, expected, 0);
            gcm.doFinal(expected, len);
            assertArrayEquals(expected, Arrays.copyOfRange(message, PREFIX + 8, message.length), "length " + n);
        }
    }

    /** The explicit IV is a counter: distinct for every message under the key. */
    @Test
    void gcmIvsCountUp() {
        SkProtection initiator = SkProtection.of(keys(IkeSuite.AES_GCM_16_256), IkeRole.INITIATOR);
        byte[] first = seal(initiator, new byte[4]);
        byte[] second = seal(initiator, new byte[4]);
        assertArrayEquals(new byte[8], Arrays.copyOfRange(first, PREFIX, PREFIX + 8));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, Arrays.copyOfRange(second, PREFIX, PREFIX + 8));
        assertNotEquals(Arrays.toString(first), Arrays.toString(second));
    }

    /** RFC 7296 section 3.14 and RFC 4868: ICV = HMAC-SHA-256-128 over header..ciphertext; CBC under SK_ei. */
    @Test
    void cbcMatchesBouncyCastle() {
        IkeKeys keys = keys(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        SkProtection initiator = SkProtection.of(keys, IkeRole.INITIATOR);
        for (int n : new int[] {0, 1, 15, 16, 17, 200}) {
            byte[] plaintext = random(200 + n, n);
            byte[] message = seal(initiator, plaintext);
            int icvAt = message.length - 16;
            byte[] mac = Reference.hmac(keys.copyOf(IkeKey.SK_AI), Arrays.copyOf(message, icvAt));
            assertArrayEquals(Arrays.copyOf(mac, 16), Arrays.copyOfRange(message, icvAt, message.length));

            CBCBlockCipher cbc = (CBCBlockCipher) CBCBlockCipher.newInstance(AESEngine.newInstance());
            cbc.init(false, new ParametersWithIV(new KeyParameter(keys.copyOf(IkeKey.SK_EI)), message, PREFIX, 16));
            byte[] padded = new byte[icvAt - PREFIX - 16];
            for (int b = 0; b < padded.length; b += 16) {
                cbc.processBlock(message, PREFIX + 16 + b, padded, b);
            }
            int padLength = padded[padded.length - 1];
            assertEquals(padded.length - n - 1, padLength, "the fewest padding bytes");
            assertArrayEquals(plaintext, Arrays.copyOf(padded, n));
        }
    }

    /** Builds an authentic GCM message from the initiator around {@code padded}, with Bouncy Castle. */
    private static byte[] gcmMessage(IkeKeys keys, byte[] padded) throws InvalidCipherTextException {
        byte[] skEi = keys.copyOf(IkeKey.SK_EI);
        byte[] prefix = prefix(8 + padded.length + 16);
        byte[] iv = random(77, 8);
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(true, new AEADParameters(new KeyParameter(Arrays.copyOf(skEi, 32)), 128,
                Reference.cat(Arrays.copyOfRange(skEi, 32, 36), iv), prefix));
        byte[] sealed = new byte[gcm.getOutputSize(padded.length)];
        gcm.doFinal(sealed, gcm.processBytes(padded, 0, padded.length, sealed, 0));
        return Reference.cat(prefix, iv, sealed);
    }

    /** Builds an authentic CBC message from the initiator around {@code padded} (whole blocks). */
    private static byte[] cbcMessage(IkeKeys keys, byte[] padded) {
        byte[] prefix = prefix(16 + padded.length + 16);
        byte[] iv = random(78, 16);
        CBCBlockCipher cbc = (CBCBlockCipher) CBCBlockCipher.newInstance(AESEngine.newInstance());
        cbc.init(true, new ParametersWithIV(new KeyParameter(keys.copyOf(IkeKey.SK_EI)), iv));
        byte[] ct = new byte[padded.length];
        for (int b = 0; b < padded.length; b += 16) {
            cbc.processBlock(padded, b, ct, b);
        }
        byte[] body = Reference.cat(prefix, iv, ct);
        return Reference.cat(body, Arrays.copyOf(Reference.hmac(keys.copyOf(IkeKey.SK_AI), body), 16));
    }

    @Test
    void gcmPaddingIsCheckedAndOtherSendersPaddingAccepted() throws InvalidCipherTextException {
        IkeKeys keys = keys(IkeSuite.AES_GCM_16_256);
        SkProtection responder = SkProtection.of(keys, IkeRole.RESPONDER);
        // Pad length 4 with three bytes before it: more padding than there is plaintext.
        assertEquals(new SkOpening.Refused(SkFailure.BAD_PADDING),
                responder.open(gcmMessage(keys, new byte[] {1, 2, 3, 4}), PREFIX));
        // Another implementation's padding (any contents) is stripped.
        assertArrayEquals(new byte[] {9, 8}, opened(responder.open(gcmMessage(keys, new byte[] {9, 8, 0x55, 0x66, 2}), PREFIX)));
        assertArrayEquals(new byte[0], opened(responder.open(gcmMessage(keys, new byte[] {7, 7, 2}), PREFIX)));
    }

    @Test
    void cbcPaddingIsCheckedAndLongPaddingAccepted() {
        IkeKeys keys = keys(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128);
        SkProtection responder = SkProtection.of(keys, IkeRole.RESPONDER);
        byte[] block = new byte[16];
        block[15] = 16;
        assertEquals(new SkOpening.Refused(SkFailure.BAD_PADDING), responder.open(cbcMessage(keys, block), PREFIX));
        // RFC 7296 section 3.14: the recipient accepts any padding that aligns, not only the fewest bytes.
        byte[] twoBlocks = new byte[32];
        twoBlocks[0] = 42;
        twoBlocks[1] = 43;
        twoBlocks[31] = 29;
        assertArrayEquals(new byte[] {42, 43}, opened(responder.open(cbcMessage(keys, twoBlocks), PREFIX)));
    }

    @Test
    void sealRefusesAPrefixWhoseLengthIsNotFinal() {
        SkProtection sk = SkProtection.of(keys(IkeSuite.AES_GCM_16_256), IkeRole.INITIATOR);
        byte[] wrong = prefix(sk.protectedLength(10) + 1);
        assertThrows(IllegalArgumentException.class, () -> sk.seal(wrong, new byte[10]));
        assertThrows(IllegalArgumentException.class, () -> sk.seal(new byte[PREFIX - 1], new byte[0]));
    }

    @ParameterizedTest
    @EnumSource(IkeSuite.class)
    void destroyedProtectionRefusesUse(IkeSuite suite) {
        SkProtection sk = SkProtection.of(keys(suite), IkeRole.INITIATOR);
        byte[] message = seal(sk, new byte[3]);
        assertEquals("SkProtection[" + suite + "]", sk.toString());
        sk.destroy();
        assertTrue(sk.isDestroyed());
        assertThrows(IllegalStateException.class, () -> sk.open(message, PREFIX));
        assertThrows(IllegalStateException.class, () -> seal(sk, new byte[3]));
    }
}
