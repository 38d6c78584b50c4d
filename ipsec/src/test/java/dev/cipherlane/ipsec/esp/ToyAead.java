package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadKey;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A stand-in AEAD for measuring what the ESP stages themselves allocate: no security at all
 * (it keys on the salt alone), but it reads the AAD, transforms the text in place and checks a
 * 16-byte tag the way a real engine does, without allocating. (The real engines allocate inside
 * their libraries.)
 */
final class ToyAead implements AeadEngine {
    static final String NAME = "toy";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean seal(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        long stream = start(key, iv);
        for (int i = 0; i < length; i++) {
            stream = stream * 6364136223846793005L + 1442695040888963407L;
            data.set(ValueLayout.JAVA_BYTE, text + i, (byte) (data.get(ValueLayout.JAVA_BYTE, text + i) ^ stream >>> 56));
        }
        long tag = tag(key, iv, aad, aadOffset, aadLength, data, text, length);
        data.set(ValueLayout.JAVA_LONG_UNALIGNED, text + length, tag);
        data.set(ValueLayout.JAVA_LONG_UNALIGNED, text + length + 8, ~tag);
        return true;
    }

    @Override
    public boolean open(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        long tag = tag(key, iv, aad, aadOffset, aadLength, data, text, length);
        if (data.get(ValueLayout.JAVA_LONG_UNALIGNED, text + length) != tag
                || data.get(ValueLayout.JAVA_LONG_UNALIGNED, text + length + 8) != ~tag) {
            return false;
        }
        long stream = start(key, iv);
        for (int i = 0; i < length; i++) {
            stream = stream * 6364136223846793005L + 1442695040888963407L;
            data.set(ValueLayout.JAVA_BYTE, text + i, (byte) (data.get(ValueLayout.JAVA_BYTE, text + i) ^ stream >>> 56));
        }
        return true;
    }

    private static long start(AeadKey key, long iv) {
        return (key.salt() * 0x9E3779B97F4A7C15L) ^ iv;
    }

    private static long tag(AeadKey key, long iv, MemorySegment aad, long aadOffset, int aadLength,
            MemorySegment data, long text, int length) {
        long h = start(key, iv) ^ 0xCBF29CE484222325L;
        for (int i = 0; i < aadLength; i++) {
            h = (h ^ aad.get(ValueLayout.JAVA_BYTE, aadOffset + i)) * 0x100000001B3L;
        }
        for (int i = 0; i < length; i++) {
            h = (h ^ data.get(ValueLayout.JAVA_BYTE, text + i)) * 0x100000001B3L;
        }
        return h;
    }
}
