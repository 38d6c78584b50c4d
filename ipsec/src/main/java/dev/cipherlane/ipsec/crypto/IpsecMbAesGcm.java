package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * AES-256-GCM from Intel's ipsec-mb (Debian {@code libipsec-mb1}, what VPP and DPDK use),
 * called through FFM: the key's {@code gcm_key_data} is precomputed once per SA
 * ({@link AeadKey}), and each packet is one call to {@code gcm256_enc} or {@code gcm256_dec}
 * working in place on the packet buffer. Nothing is copied to the heap and nothing is
 * allocated per packet.
 *
 * <p>Per engine (so per thread) it keeps one 64-byte-aligned scratch block: the
 * {@code gcm_context_data} the one-shot functions use internally, the 12-byte nonce (salt then
 * explicit IV, RFC 4106 section 4; the library appends the 32-bit counter 1 itself,
 * {@code IMB_GCM_IV_DATA_LEN}) and the computed tag on open.
 *
 * <p>Open: the library decrypts in place and writes the tag it computed; it does not compare.
 * This engine compares that with the received ICV in constant time (RFC 4106 section 6 relies
 * on the ICV being unforgeable; a timing difference per byte would let a forger learn it). On a
 * mismatch the text is encrypted again under the same nonce, which restores the ciphertext
 * exactly (CTR mode is its own inverse), so a forged packet leaves the buffer as it arrived and
 * no keystream is left behind in a dropped buffer.
 *
 * <p>Buffers must be native segments (a heap segment has no stable address): seal and open
 * return false for anything else. The caller keeps their arenas open across the call, as for
 * every raw-address downcall in this project. A key closed while a packet is being sealed or
 * opened under it (its key data is wiped, {@link AeadKey#close}) makes that call return false:
 * the flag is read after the native call, so output computed from wiped key data never counts.
 */
public final class IpsecMbAesGcm implements AeadEngine {
    public static final String NAME = "ipsec-mb";

    private static final int CONTEXT_AT = 0;
    private static final int NONCE_AT = 128;
    private static final int TAG_AT = 160;
    private static final int RESTORE_TAG_AT = 192;
    private static final int SCRATCH = 256;
    private static final ValueLayout.OfInt SALT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IV = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment scratch;
    private final long context;
    private final long nonce;
    private final long tag;
    private final long restoreTag;

    /** @throws IllegalStateException when ipsec-mb is unavailable, with {@link #status()}'s reason */
    public IpsecMbAesGcm() {
        if (!IpsecMb.STATUS.available()) {
            throw new IllegalStateException("crypto engine " + NAME + " is unavailable: " + IpsecMb.STATUS.reason());
        }
        // Freed by the GC with the engine; every use below is followed by a reachability fence.
        scratch = Arena.ofAuto().allocate(SCRATCH, 64);
        context = scratch.address() + CONTEXT_AT;
        nonce = scratch.address() + NONCE_AT;
        tag = scratch.address() + TAG_AT;
        restoreTag = scratch.address() + RESTORE_TAG_AT;
    }

    /** Whether this process's ipsec-mb loaded and passed its self-test, and what it is. */
    public static IpsecMbStatus status() {
        return IpsecMb.STATUS;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean seal(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        IpsecMbKeyData kd = key.ipsecMb();
        if (kd == null || !usable(aad, aadOffset, aadLength, data, text, length)) {
            return false;
        }
        setNonce(key.salt(), iv);
        long p = data.address() + text;
        try {
            IpsecMb.ENC.invokeExact(kd.address(), context, p, p, (long) length, nonce, aad.address() + aadOffset,
                    (long) aadLength, p + length, (long) ICV_BYTES);
        } catch (Throwable t) {
            throw new IllegalStateException("ipsec-mb gcm256_enc", t);
        } finally {
            Reference.reachabilityFence(kd);
            Reference.reachabilityFence(scratch);
        }
        return !key.closed();
    }

    @Override
    public boolean open(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        IpsecMbKeyData kd = key.ipsecMb();
        if (kd == null || !usable(aad, aadOffset, aadLength, data, text, length)) {
            return false;
        }
        setNonce(key.salt(), iv);
        long p = data.address() + text;
        long a = aad.address() + aadOffset;
        try {
            IpsecMb.DEC.invokeExact(kd.address(), context, p, p, (long) length, nonce, a, (long) aadLength, tag,
                    (long) ICV_BYTES);
            long icv = text + length;
            long diff = (scratch.get(WORD, TAG_AT) ^ data.get(WORD, icv))
                    | (scratch.get(WORD, TAG_AT + 8) ^ data.get(WORD, icv + 8));
            if (diff == 0 && !key.closed()) {
                return true;
            }
            // Back to the ciphertext; the tag goes to scratch, the received ICV stays.
            IpsecMb.ENC.invokeExact(kd.address(), context, p, p, (long) length, nonce, a, (long) aadLength,
                    restoreTag, (long) ICV_BYTES);
            return false;
        } catch (Throwable t) {
            throw new IllegalStateException("ipsec-mb gcm256_dec", t);
        } finally {
            Reference.reachabilityFence(kd);
            Reference.reachabilityFence(scratch);
        }
    }

    /** Native segments, the text and ICV and the AAD inside them; bounds as MemorySegment checks them. */
    private static boolean usable(MemorySegment aad, long aadOffset, int aadLength, MemorySegment data, long text,
            int length) {
        Objects.checkFromIndexSize(text, (long) length + ICV_BYTES, data.byteSize());
        Objects.checkFromIndexSize(aadOffset, aadLength, aad.byteSize());
        return data.isNative() && aad.isNative() && length >= 0;
    }

    private void setNonce(int salt, long iv) {
        scratch.set(SALT, NONCE_AT, salt);
        scratch.set(IV, NONCE_AT + SALT_BYTES, iv);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
