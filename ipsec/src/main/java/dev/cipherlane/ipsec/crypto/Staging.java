package dev.cipherlane.ipsec.crypto;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One engine's heap copies of the packet being sealed or opened.
 *
 * <p>Why copy at all: both cipher libraries work fastest, or only, on {@code byte[]}. The JDK's
 * AES-GCM runs its combined AES+GHASH intrinsic directly on arrays, but feeds direct
 * ByteBuffers through freshly allocated 512-byte arrays; and a failed in-place open on a
 * direct ByteBuffer over a whole segment zeroes the segment from its base up to the packet
 * (seen on JDK 25), which would wipe every packet before it in the pool. Two copies of ~1.4 KB
 * cost far less than the cipher.
 *
 * <p>{@link #in} and {@link #out} are distinct arrays so decryption is not in place: the JDK
 * avoids its combined intrinsic for in-place array decryption. They grow, never shrink, to the
 * largest packet seen (one allocation per size class, not per packet).
 */
final class Staging {
    private static final int INITIAL = 2048;

    private byte[] in = new byte[INITIAL];
    private byte[] out = new byte[INITIAL];
    private byte[] aad = new byte[64];

    /** Input array holding {@code length} bytes copied from {@code data} at {@code offset}. */
    byte[] in(MemorySegment data, long offset, int length) {
        if (in.length < length) {
            in = new byte[capacity(length)];
        }
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, in, 0, length);
        return in;
    }

    /** Output array of at least {@code room} bytes. */
    byte[] out(int room) {
        if (out.length < room) {
            out = new byte[capacity(room)];
        }
        return out;
    }

    /** The AAD copied to the heap. */
    byte[] aad(MemorySegment data, long offset, int length) {
        if (aad.length < length) {
            aad = new byte[capacity(length)];
        }
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, aad, 0, length);
        return aad;
    }

    static void back(byte[] from, MemorySegment data, long offset, int length) {
        MemorySegment.copy(from, 0, data, ValueLayout.JAVA_BYTE, offset, length);
    }

    /** Writes the 12-byte nonce, salt then IV, big-endian (RFC 4106 section 4). */
    static void nonce(byte[] nonce, int salt, long iv) {
        for (int i = 0; i < AeadEngine.SALT_BYTES; i++) {
            nonce[i] = (byte) (salt >>> (24 - 8 * i));
        }
        for (int i = 0; i < AeadEngine.IV_BYTES; i++) {
            nonce[AeadEngine.SALT_BYTES + i] = (byte) (iv >>> (56 - 8 * i));
        }
    }

    private static int capacity(int room) {
        return Integer.highestOneBit(Math.max(room, INITIAL) - 1) << 1;
    }
}
