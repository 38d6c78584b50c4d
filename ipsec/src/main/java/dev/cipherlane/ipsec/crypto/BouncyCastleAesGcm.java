package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.MemorySegment;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.RuntimeCryptoException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-256-GCM from Bouncy Castle's lightweight API ({@link GCMBlockCipher} over
 * {@link AESEngine}), no JCA provider involved: the portable alternative to the JDK engine
 * and the yardstick it is benchmarked against.
 *
 * <p>Like {@link JdkAesGcm} it keeps one cipher per key slot, and here that matters more:
 * re-keying a GCM cipher rebuilds its GHASH multiplication tables. A slot remembers the key
 * it holds and is re-initialised with a null key parameter, which Bouncy Castle takes as
 * "same key", when the next packet is under that key.
 */
public final class BouncyCastleAesGcm implements AeadEngine {
    public static final String NAME = "bouncycastle";

    static final int SLOTS = 8;
    private static final int TAG_BITS = ICV_BYTES * 8;

    private final GCMModeCipher[] ciphers = new GCMModeCipher[SLOTS];
    private final AeadKey[] keyed = new AeadKey[SLOTS];
    /** Reused: AEADParameters hands the cipher a copy of it. */
    private final byte[] nonce = new byte[NONCE_BYTES];
    private final Staging staging = new Staging();

    public BouncyCastleAesGcm() {
        for (int i = 0; i < SLOTS; i++) {
            ciphers[i] = GCMBlockCipher.newInstance(AESEngine.newInstance());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean seal(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        int slot = key.id() & (SLOTS - 1);
        GCMModeCipher cipher = ciphers[slot];
        try {
            init(slot, cipher, true, key, iv);
            cipher.processAADBytes(staging.aad(aad, aadOffset, aadLength), 0, aadLength);
            byte[] in = staging.in(data, text, length);
            byte[] out = staging.out(length + ICV_BYTES);
            int n = cipher.processBytes(in, 0, length, out, 0);
            n += cipher.doFinal(out, n);
            Staging.back(out, data, text, n);
            return true;
        } catch (InvalidCipherTextException | IllegalArgumentException | IllegalStateException
                | RuntimeCryptoException e) {
            // Bouncy Castle reports a refused nonce (reuse under one key) as IllegalArgumentException.
            keyed[slot] = null;
            return false;
        }
    }

    @Override
    public boolean open(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        int slot = key.id() & (SLOTS - 1);
        GCMModeCipher cipher = ciphers[slot];
        try {
            init(slot, cipher, false, key, iv);
            cipher.processAADBytes(staging.aad(aad, aadOffset, aadLength), 0, aadLength);
            byte[] in = staging.in(data, text, length + ICV_BYTES);
            byte[] out = staging.out(length + ICV_BYTES);
            int n = cipher.processBytes(in, 0, length + ICV_BYTES, out, 0);
            n += cipher.doFinal(out, n);
            Staging.back(out, data, text, n);
            return true;
        } catch (InvalidCipherTextException e) {
            // "mac check in GCM failed": forged or corrupted. Nothing was copied back.
            return false;
        } catch (IllegalArgumentException | IllegalStateException | RuntimeCryptoException e) {
            keyed[slot] = null;
            return false;
        }
    }

    private void init(int slot, GCMModeCipher cipher, boolean encrypt, AeadKey key, long iv) {
        Staging.nonce(nonce, key.salt(), iv);
        KeyParameter keyParameter = keyed[slot] == key ? null : key.bouncyCastleKey();
        cipher.init(encrypt, new AEADParameters(keyParameter, TAG_BITS, nonce));
        keyed[slot] = key;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
