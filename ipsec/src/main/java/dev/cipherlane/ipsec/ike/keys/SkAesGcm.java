package dev.cipherlane.ipsec.ike.keys;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SK payload with ENCR_AES_GCM_16 and a 256-bit key (RFC 5282). The body is an 8-byte
 * explicit IV, the ciphertext and a 16-byte ICV (section 3); the nonce is the 4-byte salt
 * from SK_e followed by the IV (section 4), and the associated data is every byte from the
 * IKE header up to the IV: the IKE header and the SK generic header (section 5.1). GCM needs
 * no block alignment, so we send no padding, only the pad length byte of zero (section 3).
 *
 * <p>The IV is a counter. GCM requires only that it never repeats under a key (RFC 5282
 * section 3.1), not that it is unpredictable, and a counter makes "never repeats" a matter
 * of arithmetic rather than of luck. Each direction has its own key, and IKE SA keys are made
 * fresh for every SA and never persisted, so a restart cannot replay an old counter value
 * under the same key.
 */
final class SkAesGcm extends SkProtection {
    static final int IV_LENGTH = 8;
    static final int ICV_LENGTH = 16;
    private static final int SALT_LENGTH = 4;
    private static final int KEY_LENGTH = 32;

    private final IkeSuite suite;
    /** Key then salt (RFC 5282 section 7). */
    private final byte[] sendKey;
    private final byte[] receiveKey;
    private long nextIv;

    SkAesGcm(IkeSuite suite, byte[] sendKey, byte[] receiveKey) {
        if (sendKey.length != KEY_LENGTH + SALT_LENGTH || receiveKey.length != KEY_LENGTH + SALT_LENGTH) {
            throw new IllegalArgumentException("AES-GCM-16-256 SK_e is " + (KEY_LENGTH + SALT_LENGTH) + " bytes");
        }
        this.suite = suite;
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
    }

    @Override
    public int protectedLength(int plaintextLength) {
        return IV_LENGTH + plaintextLength + 1 + ICV_LENGTH;
    }

    @Override
    void sealInto(byte[] message, int at, byte[] plaintext) {
        long iv = nextIv++;
        if (nextIv == 0) {
            // 2^64 messages under one key: unreachable, but a repeat would be fatal, so refuse.
            throw new IllegalStateException("AES-GCM IV space exhausted; rekey the IKE SA");
        }
        for (int i = 0; i < IV_LENGTH; i++) {
            message[at + i] = (byte) (iv >>> (56 - 8 * i));
        }
        byte[] padded = new byte[plaintext.length + 1]; // pad length 0 as the last byte
        System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
        try {
            Cipher c = cipher(Cipher.ENCRYPT_MODE, sendKey, message, at);
            c.updateAAD(message, 0, at);
            c.doFinal(padded, 0, padded.length, message, at + IV_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES-GCM failed to seal", e);
        } finally {
            KeyBytes.wipe(padded);
        }
    }

    @Override
    SkOpening openChecked(byte[] message, int at) {
        int body = message.length - at;
        if (body < IV_LENGTH + 1 + ICV_LENGTH) {
            return new SkOpening.Refused(SkFailure.TOO_SHORT);
        }
        byte[] padded;
        try {
            Cipher c = cipher(Cipher.DECRYPT_MODE, receiveKey, message, at);
            c.updateAAD(message, 0, at);
            padded = c.doFinal(message, at + IV_LENGTH, body - IV_LENGTH);
        } catch (AEADBadTagException e) {
            return new SkOpening.Refused(SkFailure.INTEGRITY_CHECK_FAILED);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES-GCM failed to open", e);
        }
        return unpad(padded);
    }

    /** A cipher keyed with {@code keyAndSalt} and the nonce salt | IV, the IV read at {@code ivAt}. */
    private static Cipher cipher(int mode, byte[] keyAndSalt, byte[] message, int ivAt) throws GeneralSecurityException {
        byte[] nonce = new byte[SALT_LENGTH + IV_LENGTH];
        System.arraycopy(keyAndSalt, KEY_LENGTH, nonce, 0, SALT_LENGTH);
        System.arraycopy(message, ivAt, nonce, SALT_LENGTH, IV_LENGTH);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(keyAndSalt, 0, KEY_LENGTH, "AES"), new GCMParameterSpec(8 * ICV_LENGTH, nonce));
        return c;
    }

    @Override
    void wipeKeys() {
        KeyBytes.wipe(sendKey, receiveKey);
    }

    @Override
    IkeSuite suite() {
        return suite;
    }
}
