package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;

/**
 * One key's {@code struct gcm_key_data} (intel-ipsec-mb.h: the expanded AES round keys and the
 * GHASH key powers), computed once by {@code gcm256_pre} when the SA is made, off-heap and
 * 64-byte aligned as the header declares it for Linux.
 *
 * <p>Lifetime: {@link #wipe} zero-fills it when the SA goes ({@link AeadKey#close}) but does
 * not free it, because a worker may still be in a seal under an older SA snapshot and holds
 * only its raw address; that worker then sees the key closed and drops its packet. The memory
 * is wiped again and freed by a {@link Cleaner} once the key is unreachable, so a key never
 * closed (a test, a failed start) is not leaked and not left behind in freed memory either.
 */
final class IpsecMbKeyData {
    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment data;

    private IpsecMbKeyData(Arena arena, MemorySegment data) {
        this.data = data;
        CLEANER.register(this, new Release(arena, data));
    }

    /** Wipes and frees; holds no reference to the key data object, or it would never be unreachable. */
    private record Release(Arena arena, MemorySegment data) implements Runnable {
        @Override
        public void run() {
            data.fill((byte) 0);
            arena.close();
        }
    }

    /** Expands the 32-byte {@code key} with {@code pre}, an {@code aes_gcm_pre_t} for AES-256. */
    static IpsecMbKeyData precompute(MethodHandle pre, byte[] key) {
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocate(ImbLayout.GCM_KEY_DATA_SIZE, ImbLayout.GCM_KEY_DATA_ALIGN);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment raw = scratch.allocate(AeadEngine.KEY_BYTES);
            MemorySegment.copy(key, 0, raw, ValueLayout.JAVA_BYTE, 0, key.length);
            try {
                pre.invokeExact(raw, data);
            } catch (Throwable t) {
                arena.close();
                throw new IllegalStateException("ipsec-mb gcm256_pre failed", t);
            } finally {
                raw.fill((byte) 0);
            }
        }
        return new IpsecMbKeyData(arena, data);
    }

    /** The address of the {@code gcm_key_data}; valid as long as this object is reachable. */
    long address() {
        return data.address();
    }

    void wipe() {
        data.fill((byte) 0);
    }
}
