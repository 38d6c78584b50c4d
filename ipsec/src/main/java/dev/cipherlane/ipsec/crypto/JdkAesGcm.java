package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.MemorySegment;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM from the JDK's SunJCE provider, the default engine: on x86 with AES-NI and
 * CLMUL (AVX2/VAES here) it runs AES and GHASH in one intrinsic.
 *
 * <p>Ciphers are kept and reused: one per {@link #SLOTS key slot}, chosen by the key's id, so
 * a worker serving a few SAs keeps each key's schedule expanded (the JDK skips the expansion
 * when a cipher is re-initialised with the key it had). What still allocates per packet is
 * inside the JDK and cannot be avoided through its API: {@code Cipher.init} needs a new
 * {@link GCMParameterSpec} and builds a new GCM state (GHASH, counter) for every nonce.
 *
 * <p>A tag mismatch surfaces from the JDK as an exception; it is caught here and becomes
 * {@code false}, so callers never see it (only forged or corrupted packets take that path).
 */
public final class JdkAesGcm implements AeadEngine {
    public static final String NAME = "jdk";

    /** Ciphers per engine; a power of two. Keys whose ids collide share one and re-key it. */
    static final int SLOTS = 8;
    private static final int TAG_BITS = ICV_BYTES * 8;

    private final Cipher[] ciphers = new Cipher[SLOTS];
    private final byte[] nonce = new byte[NONCE_BYTES];
    private final Staging staging = new Staging();

    public JdkAesGcm() {
        try {
            for (int i = 0; i < SLOTS; i++) {
                // SunJCE by name: another provider registered first must not take over.
                ciphers[i] = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SunJCE AES/GCM/NoPadding", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean seal(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        Cipher cipher = ciphers[key.id() & (SLOTS - 1)];
        Staging.nonce(nonce, key.salt(), iv);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.jdkKey(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(staging.aad(aad, aadOffset, aadLength), 0, aadLength);
            byte[] in = staging.in(data, text, length);
            byte[] out = staging.out(length + ICV_BYTES);
            int sealed = cipher.doFinal(in, 0, length, out, 0);
            Staging.back(out, data, text, sealed);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public boolean open(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        Cipher cipher = ciphers[key.id() & (SLOTS - 1)];
        Staging.nonce(nonce, key.salt(), iv);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.jdkKey(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(staging.aad(aad, aadOffset, aadLength), 0, aadLength);
            byte[] in = staging.in(data, text, length + ICV_BYTES);
            byte[] out = staging.out(length + ICV_BYTES);
            int opened = cipher.doFinal(in, 0, length + ICV_BYTES, out, 0);
            Staging.back(out, data, text, opened);
            return true;
        } catch (GeneralSecurityException e) {
            // AEADBadTagException: forged or corrupted. Nothing was copied back.
            return false;
        }
    }

    @Override
    public String toString() {
        return NAME;
    }
}
