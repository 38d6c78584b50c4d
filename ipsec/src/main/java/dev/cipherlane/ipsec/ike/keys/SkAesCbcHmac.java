package dev.cipherlane.ipsec.ike.keys;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SK payload with ENCR_AES_CBC (256-bit key) and AUTH_HMAC_SHA2_256_128 (RFC 7296 section
 * 3.14, RFC 3602, RFC 4868). The body is a random 16-byte IV, the ciphertext of inner payloads
 * | padding | pad length padded to the AES block, and an ICV of the first 16 bytes of
 * HMAC-SHA-256 over the whole message from the IKE header to the end of the ciphertext.
 *
 * <p>CBC needs an IV the sender's adversary cannot predict (RFC 7296 section 3.14), hence a
 * fresh random one per message, unlike GCM's counter. On receipt the ICV is checked before
 * anything is decrypted (encrypt-then-MAC), so padding is only ever looked at in authentic
 * messages and cannot serve as an oracle.
 */
final class SkAesCbcHmac extends SkProtection {
    static final int BLOCK = 16;
    static final int ICV_LENGTH = 16;
    private static final int KEY_LENGTH = 32;

    private final IkeSuite suite;
    private final byte[] sendKey;
    private final byte[] sendIntegrityKey;
    private final byte[] receiveKey;
    private final byte[] receiveIntegrityKey;
    private final SecureRandom random = new SecureRandom();

    SkAesCbcHmac(IkeSuite suite, byte[] sendKey, byte[] sendIntegrityKey, byte[] receiveKey, byte[] receiveIntegrityKey) {
        if (sendKey.length != KEY_LENGTH || receiveKey.length != KEY_LENGTH
                || sendIntegrityKey.length != KEY_LENGTH || receiveIntegrityKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException("AES-CBC-256 with HMAC-SHA2-256-128 takes 32-byte keys");
        }
        this.suite = suite;
        this.sendKey = sendKey;
        this.sendIntegrityKey = sendIntegrityKey;
        this.receiveKey = receiveKey;
        this.receiveIntegrityKey = receiveIntegrityKey;
    }

    @Override
    public int protectedLength(int plaintextLength) {
        return BLOCK + paddedLength(plaintextLength) + ICV_LENGTH;
    }

    /** Plaintext, the fewest padding bytes, and the pad length byte, rounded up to the block. */
    private static int paddedLength(int plaintextLength) {
        return (plaintextLength + 1 + BLOCK - 1) / BLOCK * BLOCK;
    }

    @Override
    void sealInto(byte[] message, int at, byte[] plaintext) {
        byte[] iv = new byte[BLOCK];
        random.nextBytes(iv);
        System.arraycopy(iv, 0, message, at, BLOCK);
        int paddedLength = paddedLength(plaintext.length);
        byte[] padded = new byte[paddedLength]; // padding of zeros
        System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
        padded[paddedLength - 1] = (byte) (paddedLength - plaintext.length - 1);
        int icvAt = at + BLOCK + paddedLength;
        try {
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sendKey, "AES"), new IvParameterSpec(iv));
            c.doFinal(padded, 0, paddedLength, message, at + BLOCK);
            byte[] icv = icv(sendIntegrityKey, message, icvAt);
            System.arraycopy(icv, 0, message, icvAt, ICV_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES-CBC or HMAC failed to seal", e);
        } finally {
            KeyBytes.wipe(padded);
        }
    }

    @Override
    SkOpening openChecked(byte[] message, int at) {
        int body = message.length - at;
        if (body < BLOCK + BLOCK + ICV_LENGTH) {
            return new SkOpening.Refused(SkFailure.TOO_SHORT);
        }
        int ciphertextLength = body - BLOCK - ICV_LENGTH;
        if (ciphertextLength % BLOCK != 0) {
            return new SkOpening.Refused(SkFailure.BAD_LENGTH);
        }
        int icvAt = message.length - ICV_LENGTH;
        byte[] padded;
        try {
            byte[] expected = icv(receiveIntegrityKey, message, icvAt);
            if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(message, icvAt, message.length))) {
                return new SkOpening.Refused(SkFailure.INTEGRITY_CHECK_FAILED);
            }
            Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(receiveKey, "AES"), new IvParameterSpec(message, at, BLOCK));
            padded = c.doFinal(message, at + BLOCK, ciphertextLength);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's AES-CBC or HMAC failed to open", e);
        }
        return unpad(padded);
    }

    /** HMAC-SHA-256 of {@code message[0, end)} truncated to 128 bits (RFC 4868 section 2.1.1). */
    private static byte[] icv(byte[] key, byte[] message, int end) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(message, 0, end);
        return Arrays.copyOf(mac.doFinal(), ICV_LENGTH);
    }

    @Override
    void wipeKeys() {
        KeyBytes.wipe(sendKey, sendIntegrityKey, receiveKey, receiveIntegrityKey);
    }

    @Override
    IkeSuite suite() {
        return suite;
    }
}
